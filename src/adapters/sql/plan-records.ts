import type { DraftRecord } from '../../domain/draft.js';
import type { Approval, Execution, Plan } from '../../domain/plan.js';

/**
 * The few statements plan, approval, execution and setting records need, written once for both
 * stores: SQL uses `?` placeholders and each store's runner adapts them to its driver.
 */
export interface SqlRunner {
  all<T>(sql: string, values: readonly unknown[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, values: readonly unknown[]): Promise<number>;
}

/** `?` → `$1, $2, …` for PostgreSQL. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replaceAll('?', () => {
    n += 1;
    return `$${n}`;
  });
}

const first = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0];

export async function saveDraft(sql: SqlRunner, incidentId: string, draft: DraftRecord): Promise<void> {
  await sql.run(
    `INSERT INTO incident_drafts (incident_id, drafted_at, record) VALUES (?, ?, ?)
     ON CONFLICT (incident_id) DO UPDATE SET drafted_at = excluded.drafted_at, record = excluded.record`,
    [incidentId, draft.draftedAt, JSON.stringify(draft)],
  );
}

export async function readDraft(sql: SqlRunner, incidentId: string): Promise<DraftRecord | null> {
  const row = await first(
    sql.all<{ record: string }>('SELECT record FROM incident_drafts WHERE incident_id = ?', [incidentId]),
  );
  return row ? (JSON.parse(row.record) as DraftRecord) : null;
}

export async function savePlan(sql: SqlRunner, plan: Plan): Promise<void> {
  await sql.run(
    'INSERT INTO plans (id, incident_id, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    [plan.id, plan.incidentId, plan.createdAt, JSON.stringify(plan)],
  );
}

export async function readPlan(sql: SqlRunner, planId: string): Promise<Plan | null> {
  const row = await first(sql.all<{ body: string }>('SELECT body FROM plans WHERE id = ?', [planId]));
  return row ? (JSON.parse(row.body) as Plan) : null;
}

export async function readLatestPlan(sql: SqlRunner, incidentId: string): Promise<Plan | null> {
  const row = await first(
    sql.all<{ body: string }>(
      'SELECT body FROM plans WHERE incident_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      [incidentId],
    ),
  );
  return row ? (JSON.parse(row.body) as Plan) : null;
}

export async function recordApproval(sql: SqlRunner, approval: Approval): Promise<{ recorded: boolean }> {
  const changed = await sql.run(
    `INSERT INTO approvals (plan_id, by_name, decision, incident_id, via, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (plan_id, by_name, decision) DO NOTHING`,
    [
      approval.planId,
      approval.by,
      approval.decision,
      approval.incidentId,
      approval.via,
      approval.reason,
      approval.at,
    ],
  );
  return { recorded: changed > 0 };
}

interface ApprovalRow {
  plan_id: string;
  by_name: string;
  decision: Approval['decision'];
  incident_id: string;
  via: Approval['via'];
  reason: string | null;
  at: string;
}

export async function readApprovals(sql: SqlRunner, planId: string): Promise<Approval[]> {
  const rows = await sql.all<ApprovalRow>(
    'SELECT plan_id, by_name, decision, incident_id, via, reason, at FROM approvals WHERE plan_id = ? ORDER BY at, by_name',
    [planId],
  );
  return rows.map((row) => ({
    planId: row.plan_id,
    incidentId: row.incident_id,
    decision: row.decision,
    by: row.by_name,
    via: row.via,
    reason: row.reason,
    at: row.at,
  }));
}

export async function readExecution(sql: SqlRunner, planId: string): Promise<Execution | null> {
  const row = await first(
    sql.all<{ body: string }>('SELECT body FROM executions WHERE plan_id = ?', [planId]),
  );
  return row ? (JSON.parse(row.body) as Execution) : null;
}

export async function saveExecution(
  sql: SqlRunner,
  execution: Execution,
): Promise<{ created: boolean; current: Execution }> {
  const body = JSON.stringify(execution);
  const inserted = await sql.run(
    `INSERT INTO executions (plan_id, incident_id, idempotency_key, state, started_at, body) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (plan_id) DO NOTHING`,
    [
      execution.planId,
      execution.incidentId,
      execution.idempotencyKey,
      execution.state,
      execution.startedAt,
      body,
    ],
  );
  if (inserted > 0) return { created: true, current: execution };
  const updated = await sql.run(
    'UPDATE executions SET state = ?, body = ? WHERE plan_id = ? AND idempotency_key = ?',
    [execution.state, body, execution.planId, execution.idempotencyKey],
  );
  if (updated > 0) return { created: true, current: execution };
  const current = await readExecution(sql, execution.planId);
  if (!current) throw new Error(`execution of plan ${execution.planId} vanished`);
  return { created: false, current };
}

export async function countExecutions(
  sql: SqlRunner,
  filter: { since: string; cluster?: string; correlationKey?: string },
): Promise<number> {
  const conditions = ['e.started_at >= ?'];
  const values: unknown[] = [filter.since];
  if (filter.cluster !== undefined) {
    conditions.push('i.cluster = ?');
    values.push(filter.cluster);
  }
  if (filter.correlationKey !== undefined) {
    conditions.push('i.correlation_key = ?');
    values.push(filter.correlationKey);
  }
  const row = await first(
    sql.all<{ n: number | string }>(
      `SELECT count(*) AS n FROM executions e JOIN incidents i ON i.id = e.incident_id WHERE ${conditions.join(' AND ')}`,
      values,
    ),
  );
  return Number(row?.n ?? 0);
}

export async function writeSetting(sql: SqlRunner, key: string, value: unknown, at: string): Promise<void> {
  await sql.run(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [key, JSON.stringify(value), at],
  );
}

export async function readSetting(sql: SqlRunner, key: string): Promise<unknown> {
  const row = await first(sql.all<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]));
  return row ? (JSON.parse(row.value) as unknown) : null;
}
