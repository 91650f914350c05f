import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteVecIndex } from '../../src/adapters/sqlite-vec/index.js';
import { HashingEmbedder } from '../../src/domain/memory/hashing-embedder.js';
import { parseHistory } from '../../src/domain/memory/history.js';
import { importHistory } from '../../src/pipeline/memory.js';
import { retrieveSimilar } from '../../src/pipeline/retrieve.js';

const historyFile = join(import.meta.dirname, '../fixtures/history/mixed.yaml');
let index: SqliteVecIndex;
const embedder = new HashingEmbedder({ dimension: 512 });

beforeAll(async () => {
  index = new SqliteVecIndex(join(mkdtempSync(join(tmpdir(), 'medic-memory-')), 'medic.db'));
  await importHistory(parseHistory(readFileSync(historyFile, 'utf8'), historyFile), { index, embedder });
});
afterAll(async () => {
  await (index as unknown as { close?: () => Promise<void> | void }).close?.();
});

describe('similar-incident retrieval with the hashing embedder', () => {
  it('ranks the truly similar incident above look-alikes that share the service and namespace', async () => {
    // Live: checkout in shop, OOMKilled at its memory limit. Three distractors share "checkout" and "shop".
    const similar = await retrieveSimilar(
      {
        alertnames: ['KubeContainerOOMKilled'],
        labels: { namespace: 'shop', pod: 'checkout-7d9f8b6c5-bcdfg', container: 'app', severity: 'warning' },
        anomalies: [{ signal: 'memory_working_set_bytes', direction: 'near limit' }],
        terminationReasons: ['OOMKilled'],
        warningReasons: ['BackOff'],
      },
      {
        alertnames: ['KubeContainerOOMKilled'],
        workloadKind: 'Deployment',
        terminationReasons: ['OOMKilled'],
      },
      { index, embedder, k: 3 },
    );
    expect(similar[0]?.incidentId).toBe('inc-0412');
    expect(similar[0]?.action.playbook).toBe('set-resources');
    expect(similar[0]?.outcome).toBe('resolved');
    expect(similar.map((s) => s.incidentId)).not.toContain('inc-0420');
  });

  it('finds the crash loop after a deploy for a crash loop after a deploy', async () => {
    const similar = await retrieveSimilar(
      {
        alertnames: ['KubePodCrashLooping'],
        labels: { namespace: 'payments', deployment: 'ledger', container: 'app' },
        waitingReasons: ['CrashLoopBackOff'],
        changes: ['deploy'],
        logTemplates: ['panic: runtime error: invalid memory address or nil pointer dereference'],
      },
      { alertnames: ['KubePodCrashLooping'], workloadKind: 'Deployment', terminationReasons: ['Error'] },
      { index, embedder, k: 3 },
    );
    expect(similar[0]?.incidentId).toBe('inc-0388');
  });

  it('importing the same history twice indexes each incident once', async () => {
    const entries = parseHistory(readFileSync(historyFile, 'utf8'), historyFile);
    await importHistory(entries, { index, embedder });
    expect(await index.count()).toBe(entries.length);
  });

  it('names the entry and field of a broken history file', () => {
    expect(() => parseHistory('- id: x\n  at: never\n', 'h.yaml')).toThrow(/h\.yaml:\[0\]\.at/);
  });
});

describe('embedder changes', () => {
  it('ignores remembered vectors made by another embedder', async () => {
    // Same vectors, different identity: exactly the situation after switching embedders without reindexing.
    const renamed = {
      id: 'another-embedder',
      dimension: 512,
      embed: (texts: readonly string[]) => embedder.embed(texts),
    };
    const similar = await retrieveSimilar(
      { alertnames: ['KubeContainerOOMKilled'], terminationReasons: ['OOMKilled'] },
      {
        alertnames: ['KubeContainerOOMKilled'],
        workloadKind: 'Deployment',
        terminationReasons: ['OOMKilled'],
      },
      { index, embedder: renamed, k: 3 },
    );
    expect(similar).toEqual([]);
  });
});
