import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorld } from '../../src/adapters/replay/world.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';

interface ContainerStatus {
  restartCount?: number;
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

const fixture = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');

describe('loadWorld on the oom-checkout fixture', () => {
  it('reads case.yaml and every world file', async () => {
    const world = await loadWorld(fixture);
    expect(world.id).toBe('oom-checkout');
    expect(world.now.toISOString()).toBe('2026-03-01T10:05:00.000Z');
    expect(world.alert).toMatchObject({ version: '4', status: 'firing' });
    expect(world.caseFile['expect']).toMatchObject({ actions: ['set-resources'] });
    expect(world.metrics.intervalMs).toBe(60_000);
    expect(world.metrics.series.every((s) => s.values.length === 31)).toBe(true);
    expect(world.logs.length).toBeGreaterThan(150);
    expect(world.spans.length).toBeGreaterThan(100);
  });

  it('holds a Deployment with two ReplicaSet revisions, three OOMKilled pods, events, an HPA and nodes', async () => {
    const { kubernetes } = await loadWorld(fixture);
    const kinds = (kind: string) => kubernetes.filter((o) => o.kind === kind);
    expect(kinds('Deployment').map((o) => o.metadata.name)).toEqual(['checkout']);
    expect(
      kinds('ReplicaSet').map((o) => o.metadata.annotations?.['deployment.kubernetes.io/revision']),
    ).toEqual(['1', '2']);
    const pods = kinds('Pod');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      const statuses = pod.status?.['containerStatuses'] as ContainerStatus[];
      expect(statuses[0]?.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      expect(statuses[0]?.restartCount).toBeGreaterThan(0);
    }
    const reasons = kinds('Event').map((e) => e['reason']);
    expect(reasons).toEqual(expect.arrayContaining(['BackOff', 'OOMKilling']));
    expect(kinds('HorizontalPodAutoscaler')).toHaveLength(1);
    expect(kinds('Node')).toHaveLength(2);
  });

  it('reads ECS logs whether fields are dotted keys or nested objects', async () => {
    const { logs } = await loadWorld(fixture);
    const shapes = logs.filter((l) => l.service === 'checkout');
    expect(new Set(shapes.map((l) => l.pod))).toEqual(
      new Set(['checkout-7d9f8b6c5-bcdfg', 'checkout-7d9f8b6c5-hjklm', 'checkout-7d9f8b6c5-xqzwt']),
    );
    expect(shapes.every((l) => l.namespace === 'shop' && l.container === 'app')).toBe(true);
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
    expect(logs.every((l) => l.level === null || l.level === l.level.toLowerCase())).toBe(true);
    expect(logs.some((l) => l.level === null)).toBe(true);
  });
});

describe('loadWorld errors', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function caseDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'medic-world-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  const caseYaml = (world: string) => `id: broken\nnow: "2026-03-01T10:05:00Z"\nworld:\n${world}`;

  async function failure(dir: string): Promise<MedicError> {
    const error = await loadWorld(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    return error as MedicError;
  }

  it('a folder without case.yaml is not found', async () => {
    const error = await failure(caseDir({}));
    expect(error.code).toBe(ErrorCodes.notFound);
  });

  it('a case with only case.yaml has an empty world', async () => {
    const world = await loadWorld(caseDir({ 'case.yaml': 'id: bare\nnow: "2026-03-01T10:05:00Z"\n' }));
    expect(world).toMatchObject({ kubernetes: [], logs: [], spans: [], alert: null });
    expect(world.metrics.series).toEqual([]);
  });

  it.each([
    ['bad YAML', { 'case.yaml': 'id: [unclosed\n' }, /case\.yaml:\d+:\d+: /],
    ['missing id', { 'case.yaml': 'now: "2026-03-01T10:05:00Z"\n' }, /case\.yaml:id: /],
    ['bad now', { 'case.yaml': 'id: x\nnow: yesterday\n' }, /case\.yaml:now: expected an RFC 3339 instant/],
    ['unknown world key', { 'case.yaml': caseYaml('  prometheus: p.yaml\n') }, /case\.yaml:world: /],
    [
      'a missing world file',
      { 'case.yaml': caseYaml('  metrics: metrics.yaml\n') },
      /case\.yaml:world\.metrics: file .*metrics\.yaml not found/,
    ],
    [
      'an unknown signal',
      {
        'case.yaml': caseYaml('  metrics: m.yaml\n'),
        'm.yaml': 'interval: 1m\nseries:\n  - {signal: memory_used, labels: {}, values: "1x3"}\n',
      },
      /m\.yaml:series\[0\]\.signal: unknown signal "memory_used"/,
    ],
    [
      'bad series notation',
      {
        'case.yaml': caseYaml('  metrics: m.yaml\n'),
        'm.yaml': 'series:\n  - {signal: oom_kills_total, values: "1 2 three"}\n',
      },
      /m\.yaml:series\[0\]\.values: .*"three"/,
    ],
    [
      'a bad interval',
      { 'case.yaml': caseYaml('  metrics: m.yaml\n'), 'm.yaml': 'interval: 1 minute\nseries: []\n' },
      /m\.yaml:interval: invalid duration/,
    ],
    [
      'bad metrics YAML',
      { 'case.yaml': caseYaml('  metrics: m.yaml\n'), 'm.yaml': 'series:\n  - signal: a\n   values: b\n' },
      /m\.yaml:\d+:\d+: /,
    ],
    [
      'a log line that is not JSON',
      {
        'case.yaml': caseYaml('  logs: l.jsonl\n'),
        'l.jsonl': '{"@timestamp":"2026-03-01T10:00:00Z"}\n{oops\n',
      },
      /l\.jsonl:2: invalid JSON/,
    ],
    [
      'a log line without a timestamp',
      { 'case.yaml': caseYaml('  logs: l.jsonl\n'), 'l.jsonl': '{"message":"hi"}\n' },
      /l\.jsonl:1:@timestamp: expected an RFC 3339 timestamp/,
    ],
    [
      'a span with a bad kind',
      {
        'case.yaml': caseYaml('  traces: t.jsonl\n'),
        't.jsonl':
          '{"traceId":"t","spanId":"s","service":"a","name":"n","kind":"rpc","start":"2026-03-01T10:00:00Z","durationMs":1,"status":"ok"}\n',
      },
      /t\.jsonl:1:kind: /,
    ],
    [
      'a Kubernetes object without a name',
      {
        'case.yaml': caseYaml('  kubernetes: k.yaml\n'),
        'k.yaml':
          'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n',
      },
      /k\.yaml:doc\[1\]\.metadata\.name: /,
    ],
    [
      'an unreadable alert',
      { 'case.yaml': 'id: x\nnow: "2026-03-01T10:05:00Z"\nalert: alert.json\n', 'alert.json': '{' },
      /alert\.json: invalid JSON/,
    ],
  ])('%s is a bad request naming file and place', async (_what, files, message) => {
    const error = await failure(caseDir(files));
    expect(error.code).toBe(ErrorCodes.badRequest);
    expect(error.message).toMatch(message);
  });

  it('flattens List documents', async () => {
    const dir = caseDir({
      'case.yaml': caseYaml('  kubernetes: k.yaml\n'),
      'k.yaml':
        'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Node, metadata: {name: n1}}\n  - {apiVersion: v1, kind: Node, metadata: {name: n2}}\n---\n',
    });
    const world = await loadWorld(dir);
    expect(world.kubernetes.map((o) => o.metadata.name)).toEqual(['n1', 'n2']);
  });
});
