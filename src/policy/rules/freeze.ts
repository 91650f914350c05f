import { activeFreezeWindows } from '../freeze-windows.js';
import type { GuardRule } from '../guard-input.js';

/** During a freeze window nothing that acts may run. */
export const freezeRule: GuardRule = ({ policy, now }) =>
  activeFreezeWindows(policy.freezeWindows, now).map(
    (window) => `freeze: the freeze window "${window.name}" is in effect (${window.span})`,
  );
