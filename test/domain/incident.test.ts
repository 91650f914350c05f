import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, moreSevere, stateAfterAlerts } from '../../src/domain/incident.js';

describe('incident lifecycle', () => {
  it('closes an incident whose alerts all resolved before any action', () => {
    expect(stateAfterAlerts('open', 0)).toBe('resolved');
    expect(stateAfterAlerts('awaiting-approval', 0)).toBe('resolved');
  });

  it('never closes an incident on alerts alone once something was done to the cluster', () => {
    expect(stateAfterAlerts('executing', 0)).toBe('executing');
    expect(stateAfterAlerts('verifying', 0)).toBe('verifying');
  });

  it('reopens an auto-resolved incident when its alerts fire again', () => {
    expect(stateAfterAlerts('resolved', 2)).toBe('open');
    expect(stateAfterAlerts('open', 2)).toBe('open');
  });

  it('refuses transitions that skip approval', () => {
    expect(canTransition('drafted', 'executing')).toBe(false);
    expect(() => assertTransition('awaiting-approval', 'executing')).toThrow(
      /MEDIC_E_INVALID_TRANSITION|cannot move/,
    );
    expect(canTransition('approved', 'executing')).toBe(true);
  });

  it('keeps the most severe severity', () => {
    expect(moreSevere('warning', 'critical')).toBe('critical');
    expect(moreSevere('critical', 'info')).toBe('critical');
    expect(moreSevere(null, 'info')).toBe('info');
  });
});
