import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorld } from '../../src/adapters/replay/world.js';
import { payloadValidator } from '../../src/domain/alertmanager-payload.js';
import { parseHistory } from '../../src/domain/memory/history.js';
import { workloadFromLabels } from '../../src/domain/workload.js';

const casesDir = join(import.meta.dirname, '..', '..', 'evals', 'cases');
const caseDirs = readdirSync(casesDir)
  .filter((name) => statSync(join(casesDir, name)).isDirectory())
  .sort();

/** Every incident area the suite must exercise, as the tag each case declares. */
const requiredTags = [
  'oom',
  'java',
  'python',
  'crashloop',
  'deploy',
  'image-pull',
  'readiness',
  'cpu-throttling',
  'hpa',
  'stuck-rollout',
  'liveness',
  'memory-leak',
  'outlier-pod',
  'consumer-lag',
  'injection-logs',
  'injection-annotations',
  'protected-namespace',
  'resolved',
  'flapping',
  'downstream',
  'db-exhaustion',
  'node-notready',
  'disk-pressure',
  'capacity',
  'statefulset',
  'daemonset',
  'missing-secret',
];

const playbooks = new Set([
  'rollout-restart',
  'scale',
  'set-resources',
  'rollback',
  'set-probe',
  'set-hpa-bounds',
  'delete-pod',
  'cordon-node',
  'escalate',
  'none',
]);

interface Expect {
  actions: string[];
  target?: { kind: string; namespace?: string; name: string };
  params?: Record<string, unknown>;
  forbid?: Array<Record<string, unknown>>;
  similar?: string[];
}

const validate = payloadValidator();

async function load(dir: string) {
  const path = join(casesDir, dir);
  const world = await loadWorld(path);
  const historyFile = world.caseFile['history'];
  const history =
    typeof historyFile === 'string'
      ? parseHistory(readFileSync(join(path, historyFile), 'utf8'), join(path, historyFile))
      : [];
  return {
    world,
    history,
    expect: world.caseFile['expect'] as Expect,
    tags: world.caseFile['tags'] as string[],
  };
}

describe('evals/cases', () => {
  it('holds at least 30 cases with unique ids', async () => {
    expect(caseDirs.length).toBeGreaterThanOrEqual(30);
    const ids = await Promise.all(caseDirs.map(async (dir) => (await loadWorld(join(casesDir, dir))).id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers every required incident area through tags', async () => {
    const tags = new Set<string>();
    for (const dir of caseDirs) for (const tag of (await load(dir)).tags) tags.add(tag);
    expect(requiredTags.filter((tag) => !tags.has(tag))).toEqual([]);
  });

  describe.each(caseDirs)('%s', (dir) => {
    it('loads a complete world whose folder is named by its id', async () => {
      const { world, tags } = await load(dir);
      expect(world.id).toBe(dir);
      expect(tags.length).toBeGreaterThan(0);
      expect(world.kubernetes.length).toBeGreaterThan(0);
      expect(world.metrics.series.length).toBeGreaterThan(0);
      // Logs may only lie in the past of the instant the pipeline runs at.
      for (const line of world.logs)
        expect(Date.parse(line.timestamp)).toBeLessThanOrEqual(world.now.getTime());
    });

    it('has a valid Alertmanager payload that names a workload or node', async () => {
      const { world } = await load(dir);
      const result = validate(world.alert);
      expect(result.ok ? [] : result.problems).toEqual([]);
      if (!result.ok) return;
      for (const alert of result.payload.alerts) {
        expect(alert.labels['namespace'] ?? alert.labels['node']).toBeTruthy();
        expect(alert.labels['severity']).toBeTruthy();
        expect(workloadFromLabels(alert.labels)).not.toBeNull();
      }
    });

    it('has 4 to 10 past incidents with unique ids, and its similar ids among them', async () => {
      const { history, expect: want } = await load(dir);
      expect(history.length).toBeGreaterThanOrEqual(4);
      expect(history.length).toBeLessThanOrEqual(10);
      const ids = history.map((entry) => entry.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(want.similar ?? []).not.toHaveLength(0);
      for (const id of want.similar ?? []) expect(ids).toContain(id);
    });

    it('names only pods, workloads and targets its world holds', async () => {
      const { world, expect: want } = await load(dir);
      const held = new Set(
        world.kubernetes.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`),
      );
      const result = validate(world.alert);
      if (!result.ok) throw new Error(`${dir}: invalid alert`);
      for (const { labels } of result.payload.alerts) {
        if (labels['pod']) expect(held).toContain(`Pod/${labels['namespace']}/${labels['pod']}`);
        if (labels['node']) expect(held).toContain(`Node//${labels['node']}`);
      }
      if (want.target) {
        const { kind, namespace, name } = want.target;
        expect(held).toContain(`${kind}/${namespace ?? ''}/${name}`);
      }
    });

    it('calls similar only past incidents that took an acceptable action and worked', async () => {
      const { history, expect: want } = await load(dir);
      for (const id of want.similar ?? []) {
        const entry = history.find((candidate) => candidate.id === id);
        expect(want.actions).toContain(entry?.action.playbook);
        expect(['resolved', 'escalated']).toContain(entry?.outcome);
      }
    });

    it('expects known playbooks, a target when acting, and forbids something', async () => {
      const { expect: want } = await load(dir);
      expect(want.actions.length).toBeGreaterThan(0);
      for (const action of want.actions) expect(playbooks).toContain(action);
      const acting = want.actions.some((action) => action !== 'escalate' && action !== 'none');
      if (acting) expect(want.target?.name).toBeTruthy();
      else expect(want.target).toBeUndefined();
      expect(want.forbid?.length ?? 0).toBeGreaterThan(0);
    });
  });
});
