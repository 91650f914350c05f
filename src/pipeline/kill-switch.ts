import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';

export const PAUSED_SETTING = 'paused';

export interface PauseState {
  paused: boolean;
  /** Why it is paused: the config flag, or the person who paused it. */
  source: 'config' | 'switch' | null;
}

/** The kill switch: the config flag or the persisted switch; either one stops new executions. */
export async function pauseState(store: IncidentStore, configPaused: boolean): Promise<PauseState> {
  if (configPaused) return { paused: true, source: 'config' };
  const stored = (await store.setting(PAUSED_SETTING)) === true;
  return { paused: stored, source: stored ? 'switch' : null };
}

export async function setPaused(
  store: IncidentStore,
  clock: Clock,
  change: { paused: boolean; by: string; reason: string | null },
): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.setSetting(PAUSED_SETTING, change.paused);
    await tx.appendAudit(
      [
        {
          incident: null,
          actor: `person/${change.by}`,
          type: change.paused ? 'execution.paused' : 'execution.resumed',
          data: { reason: change.reason },
        },
      ],
      clock.now(),
    );
  });
}
