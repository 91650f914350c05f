import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { storeContract } from './store-contract.js';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-store-'));
  const path = join(dir, 'medic.db');
  const store = new SqliteStore(path);
  // A second connection, as an attacker with file access would have.
  const raw = new Database(path);
  raw.pragma('busy_timeout = 5000');
  return {
    store,
    tamper: async (sqlText) => {
      raw.exec(sqlText);
    },
    dropAppendOnlySql: 'DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;',
    cliEnv: { MEDIC_DATA_DIR: dir },
    async close() {
      raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
