import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  type AuditEvent,
  type AuditEventInput,
  sealAuditEvent,
  verifyAuditChain,
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
import type { SqlRunner } from '../sql/plan-records.js';
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

const migrations = coreSchema({
  auditSeq: 'INTEGER',
  appendOnly: `
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'MEDIC_E_AUDIT_APPEND_ONLY: audit events cannot be changed'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'MEDIC_E_AUDIT_APPEND_ONLY: audit events cannot be deleted'); END;`,
});

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

function open(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 15000');
  db.pragma('foreign_keys = ON');
  return db;
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  db.exec('BEGIN IMMEDIATE');
  try {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (row) => row.version,
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function sqliteRunner(db: Database.Database): SqlRunner {
  return {
    all: async <T>(sql: string, values: readonly unknown[]) => db.prepare(sql).all(...values) as T[],
    run: async (sql, values) => db.prepare(sql).run(...values).changes,
  };
}

class SqliteTx extends PlanRecordsTx implements IncidentTx {
  protected readonly sql: SqlRunner;

  constructor(private readonly db: Database.Database) {
    super();
    this.sql = sqliteRunner(db);
  }

  async seenAlertKeys(keys: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT alert_key FROM alert_receipts WHERE alert_key IN (${placeholders(chunk.length)})`)
        .all(...chunk) as Array<{ alert_key: string }>;
      for (const row of rows) seen.add(row.alert_key);
    }
    return seen;
  }

  async recordAlertReceipts(receipts: readonly AlertReceipt[]): Promise<void> {
    const insert = this.db.prepare(
      'INSERT INTO alert_receipts (alert_key, incident_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const receipt of receipts) insert.run(receipt.key, receipt.incidentId, receipt.receivedAt);
  }

  async getIncident(id: string): Promise<Incident | null> {
    const row = this.db.prepare(`SELECT ${incidentColumns} FROM incidents WHERE id = ?`).get(id) as
      | IncidentRow
      | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async findIncidentByFingerprint(fingerprint: string, correlationKey: string): Promise<Incident | null> {
    const row = this.db
      .prepare(
        `SELECT ${incidentColumns.replaceAll(/(^|, )/g, '$1i.')} FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id
         WHERE a.fingerprint = ? AND a.correlation_key = ? ORDER BY i.opened_at DESC LIMIT 1`,
      )
      .get(fingerprint, correlationKey) as IncidentRow | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async insertIncident(incident: Incident): Promise<void> {
    this.db
      .prepare(`INSERT INTO incidents (${incidentColumns}) VALUES (${placeholders(16)})`)
      .run(...incidentValues(incident));
  }

  async updateIncident(incident: Incident): Promise<void> {
    const [id, ...rest] = incidentValues(incident);
    const assignments = incidentColumns
      .split(', ')
      .slice(1)
      .map((column) => `${column} = ?`)
      .join(', ');
    this.db.prepare(`UPDATE incidents SET ${assignments} WHERE id = ?`).run(...rest, id);
  }

  async upsertAlert(incidentId: string, alert: IncidentAlert): Promise<{ created: boolean }> {
    const existing = this.db
      .prepare('SELECT starts_at FROM incident_alerts WHERE incident_id = ? AND fingerprint = ?')
      .get(incidentId, alert.fingerprint) as { starts_at: string } | undefined;
    if (!existing) {
      const correlationKey = (
        this.db.prepare('SELECT correlation_key FROM incidents WHERE id = ?').get(incidentId) as
          | { correlation_key: string }
          | undefined
      )?.correlation_key;
      this.db
        .prepare(
          `INSERT INTO incident_alerts (incident_id, fingerprint, correlation_key, alertname, status, severity, labels, annotations,
             starts_at, ends_at, generator_url, first_seen_at, last_seen_at) VALUES (${placeholders(13)})`,
        )
        .run(
          incidentId,
          alert.fingerprint,
          correlationKey ?? '',
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
        );
      return { created: true };
    }
    // An older occurrence arriving late must not overwrite a newer one.
    if (alert.startsAt >= existing.starts_at) {
      this.db
        .prepare(
          `UPDATE incident_alerts SET status = ?, severity = ?, labels = ?, annotations = ?, starts_at = ?, ends_at = ?,
             generator_url = ?, last_seen_at = ? WHERE incident_id = ? AND fingerprint = ?`,
        )
        .run(
          alert.status,
          alert.severity,
          JSON.stringify(alert.labels),
          JSON.stringify(alert.annotations),
          alert.startsAt,
          alert.endsAt,
          alert.generatorURL,
          alert.lastSeenAt,
          incidentId,
          alert.fingerprint,
        );
    }
    return { created: false };
  }

  async firingCount(incidentId: string): Promise<number> {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM incident_alerts WHERE incident_id = ? AND status = 'firing'")
      .get(incidentId) as { n: number };
    return row.n;
  }

  async saveEvidence(incidentId: string, bundle: EvidenceBundle): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO incident_evidence (incident_id, collected_at, bundle) VALUES (?, ?, ?)
         ON CONFLICT (incident_id) DO UPDATE SET collected_at = excluded.collected_at, bundle = excluded.bundle`,
      )
      .run(incidentId, bundle.collectedAt, JSON.stringify(bundle));
  }

  async saveSimilar(incidentId: string, similar: SimilarRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO incident_similar (incident_id, retrieved_at, result) VALUES (?, ?, ?)
         ON CONFLICT (incident_id) DO UPDATE SET retrieved_at = excluded.retrieved_at, result = excluded.result`,
      )
      .run(incidentId, similar.retrievedAt, JSON.stringify(similar));
  }

  async appendAudit(events: readonly AuditEventInput[], at: Date): Promise<AuditEvent[]> {
    if (events.length === 0) return [];
    let last = (this.db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() ??
      null) as {
      seq: number;
      hash: string;
    } | null;
    const insert = this.db.prepare(
      'INSERT INTO audit_events (seq, at, incident, actor, type, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const sealed: AuditEvent[] = [];
    for (const input of events) {
      const event = sealAuditEvent(last, input, at.toISOString());
      insert.run(
        event.seq,
        event.at,
        event.incident,
        event.actor,
        event.type,
        JSON.stringify(event.data),
        event.prevHash,
        event.hash,
      );
      sealed.push(event);
      last = event;
    }
    return sealed;
  }
}

/**
 * Incidents and the audit log in one SQLite file (WAL). Writers serialise through BEGIN IMMEDIATE.
 * Open one instance per file per process: two in one process would block each other's event loop.
 */
export class SqliteStore extends PlanRecordsReader implements IncidentStore, AuditLog {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  protected readonly readSql: SqlRunner;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    super();
    this.writer = open(path);
    migrate(this.writer);
    this.reader = path === ':memory:' ? this.writer : open(path);
    this.readSql = sqliteRunner(this.reader);
  }

  transaction<T>(work: (tx: IncidentTx) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(new SqliteTx(this.writer)));
  }

  /** Every write goes through here, maintenance included. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    // better-sqlite3 is synchronous, but `work` may await; a promise chain keeps this process's
    // transactions from interleaving, and BEGIN IMMEDIATE keeps other processes out.
    const run = async () => {
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        this.writer.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async list(query: IncidentQuery): Promise<IncidentPage> {
    const { sql, values } = incidentListQuery(query, 'sqlite');
    return incidentPage(this.reader.prepare(sql).all(...values) as IncidentRow[], query.limit);
  }

  async get(id: string): Promise<Incident | null> {
    const row = this.reader.prepare(`SELECT ${incidentColumns} FROM incidents WHERE id = ?`).get(id) as
      | IncidentRow
      | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async alerts(incidentId: string): Promise<IncidentAlert[]> {
    const rows = this.reader
      .prepare('SELECT * FROM incident_alerts WHERE incident_id = ? ORDER BY first_seen_at, fingerprint')
      .all(incidentId) as AlertRow[];
    return rows.map(alertFromRow);
  }

  async countByState(): Promise<Partial<Record<IncidentState, number>>> {
    const rows = this.reader
      .prepare('SELECT state, COUNT(*) AS n FROM incidents GROUP BY state')
      .all() as Array<{
      state: IncidentState;
      n: number;
    }>;
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  async evidence(incidentId: string): Promise<EvidenceBundle | null> {
    const row = this.reader
      .prepare('SELECT bundle FROM incident_evidence WHERE incident_id = ?')
      .get(incidentId) as { bundle: string } | undefined;
    return row ? (JSON.parse(row.bundle) as EvidenceBundle) : null;
  }

  async pruneReceipts(olderThan: string): Promise<number> {
    return this.exclusive(async () => {
      const result = this.writer.prepare('DELETE FROM alert_receipts WHERE received_at < ?').run(olderThan);
      return result.changes;
    });
  }

  async similar(incidentId: string): Promise<SimilarRecord | null> {
    const row = this.reader
      .prepare('SELECT result FROM incident_similar WHERE incident_id = ?')
      .get(incidentId) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as SimilarRecord) : null;
  }

  async append(events: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    return this.transaction((tx) => tx.appendAudit(events, new Date()));
  }

  async read(query: AuditQuery): Promise<AuditEvent[]> {
    const { sql, values } = auditReadQuery(query, 'sqlite');
    return (this.reader.prepare(sql).all(...values) as AuditRow[]).map(auditFromRow);
  }

  async verify() {
    const rows = this.reader
      .prepare('SELECT * FROM audit_events ORDER BY seq')
      .iterate() as IterableIterator<AuditRow>;
    return verifyAuditChain(
      (function* () {
        for (const row of rows) yield auditFromRow(row);
      })(),
    );
  }

  async ping(): Promise<void> {
    try {
      this.reader.prepare('SELECT 1').get();
    } catch (error) {
      throw new MedicError(ErrorCodes.storage, `SQLite at ${this.path} is not usable`, {}, { cause: error });
    }
  }

  /** Waits briefly for a running transaction, then rolls it back; its job is redone by another worker. */
  async close(graceMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}
