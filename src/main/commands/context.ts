import { workerConnection } from '../../adapters/bullmq/connection.js';
import { QueueAdmin } from '../../adapters/bullmq/queue-admin.js';
import { loadConfig } from '../../config/load.js';
import type { MedicConfig } from '../../config/schema.js';
import { openStore, redisSettings, type Store } from '../runtime.js';

/** What a CLI command may open; each command opens only what it needs and closes it again. */
export interface CommandContext {
  config(): MedicConfig;
  withStore<T>(work: (store: Store) => Promise<T>): Promise<T>;
  withQueueAdmin<T>(work: (admin: QueueAdmin) => Promise<T>): Promise<T>;
}

export function commandContext(env: NodeJS.ProcessEnv, configFile: () => string | undefined): CommandContext {
  let cached: MedicConfig | undefined;
  const config = () => {
    if (!cached) {
      const file = configFile();
      cached = loadConfig({ env, ...(file ? { file } : {}) });
    }
    return cached;
  };
  return {
    config,
    async withStore(work) {
      const { store } = await openStore(config());
      try {
        return await work(store);
      } finally {
        await store.close();
      }
    },
    async withQueueAdmin(work) {
      const connection = workerConnection(redisSettings(config()));
      const admin = new QueueAdmin(connection, redisSettings(config()));
      try {
        return await work(admin);
      } finally {
        await admin.close();
        connection.disconnect();
      }
    },
  };
}
