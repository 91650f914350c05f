import pg from 'pg';
import {
  AuditChainVerifier,
  type AuditEvent,
  type AuditEventInput,
  sealAuditEvent,
} from '../../domain/audit.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { EvidenceBundle } from '../../domain/evidence/bundle.js';
import type { Incident, IncidentAlert, IncidentState } from '../../domain/incident.js';
import type { AuditLog, AuditQuery } from '../../ports/audit-log.js';
import type {
  AlertReceipt,
  IncidentPage,
  IncidentQuery,
  IncidentStore,
  IncidentTx,
  SimilarRecord,
} from '../../ports/incident-store.js';
import { coreSchema } from '../sql/migrations.js';
import { PlanRecordsReader, PlanRecordsTx } from '../sql/plan-record-base.js';
import { numberedPlaceholders, type SqlRunner } from '../sql/plan-records.js';
import { auditReadQuery, incidentListQuery, incidentPage } from '../sql/queries.js';
import {
  type AlertRow,
  type AuditRow,
  alertFromRow,
  auditFromRow,
  type IncidentRow,
  incidentColumns,
  incidentFromRow,
  incidentValues,
} from '../sql/rows.js';

// One advisory lock serialises every writer: the audit chain needs a total order anyway.
const WRITER_LOCK = 0x6d656463;
const VERIFY_PAGE = 10_000;

const migrations = coreSchema({
  auditSeq: 'BIGINT',
  appendOnly: `
CREATE FUNCTION medic_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'MEDIC_E_AUDIT_APPEND_ONLY: audit events cannot be changed or deleted'; END; $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION medic_audit_append_only();`,
});

const params = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => `$${i + from}`).join(', ');

function postgresRunner(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    all: async <T>(sql: string, values: readonly unknown[]) =>
      (await client.query(numberedPlaceholders(sql), [...values])).rows as T[],
    run: async (sql, values) => (await client.query(numberedPlaceholders(sql), [...values])).rowCount ?? 0,
  };
}

class PostgresTx extends PlanRecordsTx implements IncidentTx {
  protected readonly sql: SqlRunner;

  constructor(private readonly client: pg.PoolClient) {
    super();
    this.sql = postgresRunner(client);
  }

  async seenAlertKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.client.query<{ alert_key: string }>(
      'SELECT alert_key FROM alert_receipts WHERE alert_key = ANY($1::text[])',
      [keys],
    );
    return new Set(rows.map((row) => row.alert_key));
  }

  async recordAlertReceipts(receipts: readonly AlertReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.client.query(
      `INSERT INTO alert_receipts (alert_key, incident_id, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      [receipts.map((r) => r.key), receipts.map((r) => r.incidentId), receipts.map((r) => r.receivedAt)],
    );
  }

  async getIncident(id: string): Promise<Incident | null> {
    const { rows } = await this.client.query<IncidentRow>(
      `SELECT ${incidentColumns} FROM incidents WHERE id = $1`,
      [id],
    );
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async findIncidentByFingerprint(fingerprint: string, correlationKey: string): Promise<Incident | null> {
    const { rows } = await this.client.query<IncidentRow>(
      `SELECT ${incidentColumns.replaceAll(/(^|, )/g, '$1i.')} FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id
       WHERE a.fingerprint = $1 AND a.correlation_key = $2 ORDER BY i.opened_at DESC LIMIT 1`,
      [fingerprint, correlationKey],
    );
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async insertIncident(incident: Incident): Promise<void> {
    await this.client.query(
      `INSERT INTO incidents (${incidentColumns}) VALUES (${params(16)})`,
      incidentValues(incident),
    );
  }

  async updateIncident(incident: Incident): Promise<void> {
    const assignments = incidentColumns
      .split(', ')
      .slice(1)
      .map((column, i) => `${column} = $${i + 2}`)
      .join(', ');
    await this.client.query(`UPDATE incidents SET ${assignments} WHERE id = $1`, incidentValues(incident));
  }

  async upsertAlert(incidentId: string, alert: IncidentAlert): Promise<{ created: boolean }> {
    const { rows } = await this.client.query<{ inserted: boolean }>(
      `INSERT INTO incident_alerts (incident_id, fingerprint, correlation_key, alertname, status, severity, labels, annotations,
         starts_at, ends_at, generator_url, first_seen_at, last_seen_at)
       SELECT $1, $2, correlation_key, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM incidents WHERE id = $1
       ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = EXCLUDED.status, severity = EXCLUDED.severity,
         labels = EXCLUDED.labels, annotations = EXCLUDED.annotations, starts_at = EXCLUDED.starts_at,
         ends_at = EXCLUDED.ends_at, generator_url = EXCLUDED.generator_url, last_seen_at = EXCLUDED.last_seen_at
       WHERE EXCLUDED.starts_at >= incident_alerts.starts_at
       RETURNING (xmax = 0) AS inserted`,
      [
        incidentId,
        alert.fingerprint,
        alert.alertname,
        alert.status,
        alert.severity,
        JSON.stringify(alert.labels),
        JSON.stringify(alert.annotations),
        alert.startsAt,
        alert.endsAt,
        alert.generatorURL,
        alert.firstSeenAt,
        alert.lastSeenAt,
      ],
    );
    return { created: rows[0]?.inserted === true };
  }

  async firingCount(incidentId: string): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM incident_alerts WHERE incident_id = $1 AND status = 'firing'",
      [incidentId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async saveEvidence(incidentId: string, bundle: EvidenceBundle): Promise<void> {
    await this.client.query(
      `INSERT INTO incident_evidence (incident_id, collected_at, bundle) VALUES ($1, $2, $3)
       ON CONFLICT (incident_id) DO UPDATE SET collected_at = EXCLUDED.collected_at, bundle = EXCLUDED.bundle`,
      [incidentId, bundle.collectedAt, JSON.stringify(bundle)],
    );
  }

  async saveSimilar(incidentId: string, similar: SimilarRecord): Promise<void> {
    await this.client.query(
      `INSERT INTO incident_similar (incident_id, retrieved_at, result) VALUES ($1, $2, $3)
       ON CONFLICT (incident_id) DO UPDATE SET retrieved_at = EXCLUDED.retrieved_at, result = EXCLUDED.result`,
      [incidentId, similar.retrievedAt, JSON.stringify(similar)],
    );
  }

  async appendAudit(events: readonly AuditEventInput[], at: Date): Promise<AuditEvent[]> {
    if (events.length === 0) return [];
    const { rows } = await this.client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    let last: { seq: number; hash: string } | null = rows[0]
      ? { seq: Number(rows[0].seq), hash: rows[0].hash }
      : null;
    const sealed: AuditEvent[] = [];
    for (const input of events) {
      const event = sealAuditEvent(last, input, at.toISOString());
      sealed.push(event);
      last = event;
    }
    await this.client.query(
      `INSERT INTO audit_events (seq, at, incident, actor, type, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        sealed.map((e) => e.seq),
        sealed.map((e) => e.at),
        sealed.map((e) => e.incident),
        sealed.map((e) => e.actor),
        sealed.map((e) => e.type),
        sealed.map((e) => JSON.stringify(e.data)),
        sealed.map((e) => e.prevHash),
        sealed.map((e) => e.hash),
      ],
    );
    return sealed;
  }
}

/** Incidents and the audit log in PostgreSQL, for several medic processes on several hosts. */
export class PostgresStore extends PlanRecordsReader implements IncidentStore, AuditLog {
  protected readonly readSql: SqlRunner;

  private constructor(private readonly pool: pg.Pool) {
    super();
    this.readSql = postgresRunner(pool);
  }

  static async connect(url: string, options: { schema?: string } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    pool.on('error', () => {
      // Idle-client errors surface again on the next query; without a listener they would crash the process.
    });
    const store = new PostgresStore(pool);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.withLock(async (client) => {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((row) => row.version));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      }
    });
  }

  private async withLock<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  transaction<T>(work: (tx: IncidentTx) => Promise<T>): Promise<T> {
    return this.withLock((client) => work(new PostgresTx(client)));
  }

  async list(query: IncidentQuery): Promise<IncidentPage> {
    const { sql, values } = incidentListQuery(query, 'postgres');
    const { rows } = await this.pool.query<IncidentRow>(sql, values);
    return incidentPage(rows, query.limit);
  }

  async get(id: string): Promise<Incident | null> {
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT ${incidentColumns} FROM incidents WHERE id = $1`,
      [id],
    );
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async alerts(incidentId: string): Promise<IncidentAlert[]> {
    const { rows } = await this.pool.query<AlertRow>(
      'SELECT * FROM incident_alerts WHERE incident_id = $1 ORDER BY first_seen_at, fingerprint',
      [incidentId],
    );
    return rows.map(alertFromRow);
  }

  async countByState(): Promise<Partial<Record<IncidentState, number>>> {
    const { rows } = await this.pool.query<{ state: IncidentState; n: string }>(
      'SELECT state, COUNT(*) AS n FROM incidents GROUP BY state',
    );
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
  }

  async evidence(incidentId: string): Promise<EvidenceBundle | null> {
    const { rows } = await this.pool.query<{ bundle: string }>(
      'SELECT bundle FROM incident_evidence WHERE incident_id = $1',
      [incidentId],
    );
    return rows[0] ? (JSON.parse(rows[0].bundle) as EvidenceBundle) : null;
  }

  async pruneReceipts(olderThan: string): Promise<number> {
    const result = await this.pool.query('DELETE FROM alert_receipts WHERE received_at < $1', [olderThan]);
    return result.rowCount ?? 0;
  }

  async similar(incidentId: string): Promise<SimilarRecord | null> {
    const { rows } = await this.pool.query<{ result: string }>(
      'SELECT result FROM incident_similar WHERE incident_id = $1',
      [incidentId],
    );
    return rows[0] ? (JSON.parse(rows[0].result) as SimilarRecord) : null;
  }

  async append(events: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    return this.transaction((tx) => tx.appendAudit(events, new Date()));
  }

  async read(query: AuditQuery): Promise<AuditEvent[]> {
    const { sql, values } = auditReadQuery(query, 'postgres');
    const { rows } = await this.pool.query<AuditRow>(sql, values);
    return rows.map(auditFromRow);
  }

  async verify() {
    const verifier = new AuditChainVerifier();
    for (let afterSeq = 0; ; ) {
      // Paged by seq rather than read whole: the log grows without bound.
      const page = await this.read({ afterSeq, limit: VERIFY_PAGE });
      for (const event of page) {
        if (verifier.push(event)) return verifier.result();
      }
      const last = page.at(-1);
      if (!last || page.length < VERIFY_PAGE) return verifier.result();
      afterSeq = last.seq;
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw new MedicError(ErrorCodes.storage, 'PostgreSQL is not reachable', {}, { cause: error });
    }
  }

  /** pool.end() waits for checked-out clients; a stuck transaction must not hold shutdown forever. */
  async close(graceMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pool.end(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }
}
