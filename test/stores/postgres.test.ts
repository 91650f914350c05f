import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { freshSchema, sql } from '../support/postgres.js';
import { storeContract } from './store-contract.js';

storeContract('PostgreSQL', async () => {
  const { schema, url, drop } = await freshSchema();
  const store = await PostgresStore.connect(url);
  return {
    store,
    tamper: async (sqlText) => {
      await sql(schema, sqlText);
    },
    dropAppendOnlySql: 'DROP TRIGGER audit_events_append_only ON audit_events',
    cliEnv: { DATABASE_URL: url },
    async close() {
      await store.close();
      await drop();
    },
  };
});
