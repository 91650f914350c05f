import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseHistory } from '../../src/domain/memory/history.js';
import { openMemory } from '../../src/main/memory.js';
import { importHistory } from '../../src/pipeline/memory.js';
import { retrieveSimilar } from '../../src/pipeline/retrieve.js';
import { type FakeQdrant, startFakeQdrant } from '../vector/qdrant-server.js';

const historyFile = join(import.meta.dirname, '../fixtures/history/mixed.yaml');
let qdrant: FakeQdrant;

beforeAll(async () => {
  qdrant = await startFakeQdrant();
});
afterAll(async () => {
  await qdrant?.close();
});

describe('QDRANT_URL moves the memory to Qdrant', () => {
  it('imports and retrieves through the Qdrant adapter', async () => {
    const config = loadConfig({
      env: { QDRANT_URL: qdrant.url, MEDIC_DATA_DIR: '/nonexistent-medic-dir' },
      file: '/dev/null',
    });
    const memory = await openMemory(config);
    expect(memory.where).toMatch(/^Qdrant collection medic-incidents/);
    await importHistory(parseHistory(readFileSync(historyFile, 'utf8'), historyFile), memory);
    expect(await memory.index.count()).toBe(5);
    const similar = await retrieveSimilar(
      {
        alertnames: ['KubeContainerOOMKilled'],
        labels: { namespace: 'shop', deployment: 'checkout' },
        terminationReasons: ['OOMKilled'],
      },
      {
        alertnames: ['KubeContainerOOMKilled'],
        workloadKind: 'Deployment',
        terminationReasons: ['OOMKilled'],
      },
      { index: memory.index, embedder: memory.embedder, k: 3 },
    );
    expect(similar[0]?.incidentId).toBe('inc-0412');
  });
});
