import type { IncidentStore } from '../../ports/incident-store.js';
import type { MessageRef } from './client.js';

/** Where an incident's card lives, and which thread replies were already posted (so retries do not repeat them). */
export interface CardRef extends MessageRef {
  replies: string[];
}

const key = (incidentId: string) => `slack.card.${incidentId}`;

function isCardRef(value: unknown): value is CardRef {
  const ref = value as Partial<CardRef> | null;
  return typeof ref?.channel === 'string' && typeof ref.ts === 'string' && Array.isArray(ref.replies);
}

export async function readCardRef(store: IncidentStore, incidentId: string): Promise<CardRef | null> {
  const value = await store.setting(key(incidentId));
  return isCardRef(value) ? value : null;
}

export async function saveCardRef(store: IncidentStore, incidentId: string, ref: CardRef): Promise<void> {
  await store.transaction((tx) => tx.setSetting(key(incidentId), ref));
}
