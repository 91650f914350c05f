import type { AuditQuery } from '../../ports/audit-log.js';
import type { IncidentPage, IncidentQuery } from '../../ports/incident-store.js';
import { decodeCursor, encodeCursor, type IncidentRow, incidentColumns, incidentFromRow } from './rows.js';

export type Dialect = 'sqlite' | 'postgres';

/** Collects bound values and hands out the dialect's placeholder for each. */
class Binder {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Dialect) {}

  bind(value: unknown): string {
    this.values.push(value);
    return this.dialect === 'postgres' ? `$${this.values.length}` : '?';
  }
}

export interface Query {
  sql: string;
  values: unknown[];
}

const whereClause = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';

/** Newest first, keyset-paginated on (opened_at, id); one row more than asked tells whether a next page exists. */
export function incidentListQuery(query: IncidentQuery, dialect: Dialect): Query {
  const binder = new Binder(dialect);
  const conditions: string[] = [];
  if (query.states && query.states.length > 0) {
    conditions.push(`state IN (${query.states.map((state) => binder.bind(state)).join(', ')})`);
  }
  if (query.since) conditions.push(`opened_at >= ${binder.bind(query.since)}`);
  if (query.until) conditions.push(`opened_at < ${binder.bind(query.until)}`);
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(
      `(opened_at < ${binder.bind(cursor.openedAt)} OR (opened_at = ${binder.bind(cursor.openedAt)} AND id < ${binder.bind(cursor.id)}))`,
    );
  }
  const sql = `SELECT ${incidentColumns} FROM incidents ${whereClause(conditions)}
    ORDER BY opened_at DESC, id DESC LIMIT ${binder.bind(query.limit + 1)}`;
  return { sql, values: binder.values };
}

export function incidentPage(rows: IncidentRow[], limit: number): IncidentPage {
  const items = rows.slice(0, limit).map(incidentFromRow);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ openedAt: last.openedAt, id: last.id }) : null,
  };
}

export function auditReadQuery(query: AuditQuery, dialect: Dialect): Query {
  const binder = new Binder(dialect);
  const conditions: string[] = [];
  if (query.incident) conditions.push(`incident = ${binder.bind(query.incident)}`);
  if (query.since) conditions.push(`at >= ${binder.bind(query.since)}`);
  if (query.afterSeq !== undefined) conditions.push(`seq > ${binder.bind(query.afterSeq)}`);
  const sql = `SELECT * FROM audit_events ${whereClause(conditions)} ORDER BY seq LIMIT ${binder.bind(query.limit ?? 1_000_000)}`;
  return { sql, values: binder.values };
}
