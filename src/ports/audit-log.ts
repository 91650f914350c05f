import type { AuditEvent, AuditEventInput, AuditVerification } from '../domain/audit.js';

export interface AuditQuery {
  incident?: string;
  /** ISO instant; events at or after it. */
  since?: string;
  afterSeq?: number;
  limit?: number;
}

/** Append-only, hash-chained. Nothing in medic updates or deletes an event. */
export interface AuditLog {
  append(events: readonly AuditEventInput[]): Promise<AuditEvent[]>;
  read(query: AuditQuery): Promise<AuditEvent[]>;
  verify(): Promise<AuditVerification>;
}
