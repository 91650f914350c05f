import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReplayLogSource } from '../../src/adapters/replay/logs.js';
import { ReplayMetricsSource, seriesMatchesTarget } from '../../src/adapters/replay/metrics.js';
import { ReplayTraceSource } from '../../src/adapters/replay/traces.js';
import { loadWorld, replaySources, type World } from '../../src/adapters/replay/world.js';
import { MedicError } from '../../src/domain/errors.js';
import type { LogLine, Span } from '../../src/domain/evidence/telemetry.js';

const fixture = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');
const NOW = Date.parse('2026-03-01T10:05:00Z');
const minutes = (n: number) => n * 60_000;
const window = (fromMinutesAgo: number, stepSeconds = 60) => ({
  start: new Date(NOW - minutes(fromMinutesAgo)),
  end: new Date(NOW),
  stepSeconds,
});
const LIMIT = 536_870_912;

let world: World;
let sources: ReturnType<typeof replaySources>;
beforeAll(async () => {
  world = await loadWorld(fixture);
  sources = replaySources(world);
});

describe('replay metrics', () => {
  it('ends series at now, one point a step, oldest first', async () => {
    const [series, ...rest] = await sources.metrics.signals(
      ['memory_working_set_bytes'],
      { namespace: 'shop', pod: 'checkout-7d9f8b6c5-hjklm' },
      window(30),
    );
    expect(rest).toEqual([]);
    expect(series?.points).toHaveLength(31);
    expect(series?.points[0]).toEqual([NOW - minutes(30), 520_000_000]);
    expect(series?.points.at(-1)).toEqual([NOW, 232_000_000 + 15_000_000 * 19]);
    expect(series?.labels).toMatchObject({ namespace: 'shop', container: 'app' });
  });

  it('shows the working set reaching the 512Mi limit on every pod', async () => {
    const target = { namespace: 'shop', workload: 'checkout', container: 'app' };
    const series = await sources.metrics.signals(
      ['memory_working_set_bytes', 'memory_limit_bytes'],
      target,
      window(30),
    );
    const used = series.filter((s) => s.signal === 'memory_working_set_bytes');
    expect(used).toHaveLength(3);
    for (const s of used) {
      const peak = Math.max(...s.points.map(([, v]) => v));
      expect(peak / LIMIT).toBeGreaterThan(0.98);
    }
    expect(
      series.filter((s) => s.signal === 'memory_limit_bytes').every((s) => s.points[0]?.[1] === LIMIT),
    ).toBe(true);
  });

  it('leaves missing samples out', async () => {
    const [series] = await sources.metrics.signals(
      ['memory_working_set_bytes'],
      { pod: 'checkout-7d9f8b6c5-xqzwt' },
      window(30),
    );
    expect(series?.points).toHaveLength(30);
    expect(series?.points.some(([t]) => t === NOW - minutes(9))).toBe(false);
  });

  it('keeps to the window and evaluates coarser steps like a range query', async () => {
    const [series] = await sources.metrics.signals(
      ['container_restarts_total'],
      { pod: 'checkout-7d9f8b6c5-bcdfg' },
      window(10, 300),
    );
    expect(series?.points).toEqual([
      [NOW - minutes(10), 3],
      [NOW - minutes(5), 3],
      [NOW, 4],
    ]);
    const none = await sources.metrics.signals(
      ['container_restarts_total'],
      {},
      {
        start: new Date(NOW + minutes(1)),
        end: new Date(NOW + minutes(10)),
        stepSeconds: 60,
      },
    );
    expect(none).toEqual([]);
  });

  it('matches workload-level series by workload labels, and node series by node', async () => {
    const target = { namespace: 'shop', workload: 'checkout' };
    const series = await sources.metrics.signals(
      ['http_error_ratio', 'replicas_available'],
      target,
      window(30),
    );
    expect(series.map((s) => s.signal).sort()).toEqual(['http_error_ratio', 'replicas_available']);
    expect(series.find((s) => s.signal === 'http_error_ratio')?.labels['service']).toBe('checkout');
    const nodes = await sources.metrics.signals(
      ['node_memory_available_bytes'],
      { node: 'ip-10-0-1-23.eu-west-1.compute.internal' },
      window(30),
    );
    expect(nodes).toHaveLength(1);
    const noneForPodTarget = await sources.metrics.signals(
      ['node_memory_available_bytes'],
      target,
      window(30),
    );
    expect(noneForPodTarget).toEqual([]);
  });

  it('filters on each target field', () => {
    const labels = { namespace: 'shop', pod: 'checkout-7d9f8b6c5-bcdfg', container: 'app' };
    expect(seriesMatchesTarget(labels, {})).toBe(true);
    expect(seriesMatchesTarget(labels, { workload: 'checkout' })).toBe(true);
    expect(seriesMatchesTarget(labels, { workload: 'check' })).toBe(false);
    expect(seriesMatchesTarget(labels, { workload: 'checkout-7d9f8b6c5' })).toBe(true);
    expect(seriesMatchesTarget(labels, { namespace: 'payments' })).toBe(false);
    expect(seriesMatchesTarget(labels, { container: 'sidecar' })).toBe(false);
    expect(seriesMatchesTarget({ namespace: 'shop', service: 'checkout' }, { container: 'app' })).toBe(true);
    expect(seriesMatchesTarget(labels, { node: 'n1' })).toBe(false);
    expect(seriesMatchesTarget(labels, { cluster: 'prod' })).toBe(true);
    expect(seriesMatchesTarget({ ...labels, cluster: 'dev' }, { cluster: 'prod' })).toBe(false);
  });

  it('refuses steps a range query would refuse', async () => {
    const target = { pod: 'checkout-7d9f8b6c5-bcdfg' };
    await expect(sources.metrics.signals(['oom_kills_total'], target, window(30, 0))).rejects.toThrow(
      /11000/,
    );
    await expect(sources.metrics.signals(['oom_kills_total'], target, window(60 * 24, 1))).rejects.toThrow(
      MedicError,
    );
  });

  it('has no PromQL engine', async () => {
    expect(await sources.metrics.expression('up == 0', window(30))).toEqual([]);
    expect(
      await new ReplayMetricsSource({ intervalMs: 60_000, series: [] }, new Date(NOW)).signals(
        ['oom_kills_total'],
        {},
        window(5),
      ),
    ).toEqual([]);
  });
});

describe('replay logs', () => {
  const base = { start: new Date(NOW - minutes(30)), end: new Date(NOW), limit: 1000 };

  it('counts every match and puts error lines first', async () => {
    const result = await sources.logs.search({
      ...base,
      namespace: 'shop',
      podPrefix: 'checkout-',
      limit: 15,
    });
    expect(result.total).toBeGreaterThan(60);
    expect(result.lines).toHaveLength(15);
    const ranks = result.lines.map((l) => (['error', 'fatal'].includes(l.level ?? '') ? 0 : 1));
    expect(ranks).toEqual([...ranks].sort());
    expect(ranks[0]).toBe(0);
    const errors = result.lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    const times = errors.map((l) => Date.parse(l.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('filters by level, pod, container and window', async () => {
    const errors = await sources.logs.search({ ...base, levels: ['ERROR', 'fatal'], namespace: 'shop' });
    expect(errors.total).toBe(errors.lines.length);
    expect(errors.lines.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
    expect(new Set(errors.lines.map((l) => l.service))).toEqual(new Set(['checkout', 'payments']));

    const one = await sources.logs.search({ ...base, pods: ['checkout-7d9f8b6c5-hjklm'] });
    expect(one.lines.every((l) => l.pod === 'checkout-7d9f8b6c5-hjklm')).toBe(true);

    const payments = await sources.logs.search({ ...base, container: 'payments' });
    expect(payments.lines.every((l) => l.service === 'payments')).toBe(true);

    const all = await sources.logs.search({ ...base, start: new Date(0), end: new Date(NOW + minutes(60)) });
    expect(all.total).toBe(world.logs.length);
    const windowed = await sources.logs.search(base);
    expect(windowed.total).toBeLessThan(all.total);
  });

  it('orders each group by time, whatever the file order', async () => {
    const line = (timestamp: string, level: string | null): LogLine => ({
      timestamp,
      message: timestamp,
      level,
      namespace: 'a',
      pod: 'p-1',
      container: 'c',
      service: 's',
    });
    const source = new ReplayLogSource([
      line('2026-03-01T10:03:00Z', 'info'),
      line('2026-03-01T10:02:00Z', 'error'),
      line('2026-03-01T10:01:00Z', null),
      line('2026-03-01T10:00:00Z', 'fatal'),
    ]);
    const result = await source.search({ start: new Date(0), end: new Date(NOW), limit: 3, podPrefix: 'p-' });
    expect(result.total).toBe(4);
    expect(result.lines.map((l) => l.timestamp)).toEqual([
      '2026-03-01T10:00:00Z',
      '2026-03-01T10:02:00Z',
      '2026-03-01T10:01:00Z',
    ]);
  });
});

describe('replay traces', () => {
  const base = { start: new Date(NOW - minutes(30)), end: new Date(NOW), limit: 100 };
  const traceIds = (spans: Span[]) => new Set(spans.map((s) => s.traceId));

  it('returns every span of traces touching the services', async () => {
    const spans = await sources.traces.spans({ ...base, services: ['payments'] });
    expect(spans.some((s) => s.service === 'checkout')).toBe(true);
    expect(spans.some((s) => s.attributes['db.system'] === 'postgresql')).toBe(true);
    expect(spans.some((s) => s.service === 'cart')).toBe(false);
  });

  it('only: error keeps traces with an error span, whole', async () => {
    const spans = await sources.traces.spans({ ...base, services: ['checkout'], only: 'error' });
    const ids = traceIds(spans);
    expect(ids.size).toBeGreaterThan(3);
    for (const id of ids) {
      const trace = spans.filter((s) => s.traceId === id);
      expect(trace.some((s) => s.status === 'error')).toBe(true);
      expect(trace.some((s) => s.status === 'ok') || trace.length >= 2).toBe(true);
    }
    expect(spans.some((s) => s.attributes['error.type'] === 'QueryCanceled')).toBe(true);
  });

  it('only: slow keeps traces whose root is slower than minDurationMs', async () => {
    const spans = await sources.traces.spans({
      ...base,
      services: ['checkout'],
      only: 'slow',
      minDurationMs: 2500,
    });
    const ids = traceIds(spans);
    expect(ids.size).toBeGreaterThan(0);
    for (const id of ids) {
      const root = spans.find((s) => s.traceId === id && s.parentSpanId === null);
      expect(root?.durationMs).toBeGreaterThan(2500);
    }
  });

  it('limits traces, newest first, spans in start order', async () => {
    const spans = await sources.traces.spans({ ...base, services: ['checkout'], limit: 2 });
    const ids = [...traceIds(spans)];
    expect(ids).toHaveLength(2);
    const firstStart = (id: string) =>
      Math.min(...spans.filter((s) => s.traceId === id).map((s) => Date.parse(s.start)));
    expect(firstStart(ids[0] ?? '')).toBeGreaterThan(firstStart(ids[1] ?? ''));
    const empty = await sources.traces.spans({ ...base, services: ['nobody'] });
    expect(empty).toEqual([]);
  });

  it('treats a span whose parent is not in the trace as a root', async () => {
    const span = (spanId: string, parentSpanId: string | null, durationMs: number): Span => ({
      traceId: 't1',
      spanId,
      parentSpanId,
      service: 'svc',
      name: 'op',
      kind: 'server',
      start: '2026-03-01T10:00:00Z',
      durationMs,
      status: 'ok',
      attributes: {},
    });
    const source = new ReplayTraceSource([span('b', 'missing', 1500), span('c', 'b', 1400)]);
    const query = { ...base, services: ['svc'], only: 'slow' as const };
    expect(await source.spans(query)).toHaveLength(2);
    expect(await source.spans({ ...query, minDurationMs: 1500 })).toEqual([]);
  });
});
