import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWorld, replaySources } from '../../src/adapters/replay/world.js';
import type { VerifyCondition } from '../../src/domain/playbook.js';
import type { MetricsSource } from '../../src/ports/metrics-source.js';
import { signalTarget, verifyConditions } from '../../src/runner/verify.js';

const NOW = new Date('2026-03-01T10:30:00.000Z');
const target = signalTarget(
  { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
  { container: 'app' },
);

const condition = (
  signal: string,
  kind: VerifyCondition['condition'],
  threshold: number | null = null,
): VerifyCondition => ({ signal, promql: null, condition: kind, threshold, windowSeconds: 300 });

let metrics: MetricsSource;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-verify-'));
  writeFileSync(
    join(dir, 'case.yaml'),
    `id: verify\nnow: "${NOW.toISOString()}"\nworld:\n  metrics: metrics.yaml\n`,
  );
  const series = (signal: string, pod: string, values: string) =>
    `  - signal: ${signal}\n    labels: {namespace: shop, pod: ${pod}, container: app}\n    values: "${values}"\n`;
  writeFileSync(
    join(dir, 'metrics.yaml'),
    `interval: 1m\nseries:\n${series('container_restarts_total', 'checkout-7d9f8-aaaaa', '3x20')}${series(
      'container_restarts_total',
      'checkout-7d9f8-bbbbb',
      '0+1x20',
    )}${series('http_error_ratio', 'checkout-7d9f8-aaaaa', '0.3-0.01x20')}${series('cpu_usage_cores', 'other-1', '1x20')}`,
  );
  metrics = replaySources(await loadWorld(dir)).metrics;
});

describe('verifyConditions', () => {
  it('fails not-increasing when any one pod series rises, naming it', async () => {
    const result = await verifyConditions(
      [condition('container_restarts_total', 'not-increasing')],
      metrics,
      target,
      NOW,
    );
    expect(result.passed).toBe(false);
    expect(result.results[0]?.outcome).toBe('fail');
    expect(result.lines[0]).toMatch(/rose from 15 to 20 \(checkout-7d9f8-bbbbb\)/);
  });

  it('judges below and above on the last value of the window', async () => {
    const below = await verifyConditions(
      [condition('http_error_ratio', 'below', 0.15)],
      metrics,
      target,
      NOW,
    );
    expect(below.passed).toBe(true);
    const above = await verifyConditions(
      [condition('http_error_ratio', 'above', 0.15)],
      metrics,
      target,
      NOW,
    );
    expect(above.passed).toBe(false);
    expect(above.lines[0]).toMatch(/not above 0.15/);
    // Ten minutes earlier the ratio was still 0.2: not yet below 0.15.
    const earlier = await verifyConditions(
      [condition('http_error_ratio', 'below', 0.15)],
      metrics,
      target,
      new Date(NOW.getTime() - 10 * 60_000),
    );
    expect(earlier.passed).toBe(false);
  });

  it('reports a condition without data as unknown and passes with a note', async () => {
    const result = await verifyConditions(
      [condition('oom_kills_total', 'not-increasing'), condition('http_error_ratio', 'below', 0.5)],
      metrics,
      target,
      NOW,
    );
    expect(result.passed).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual(['unknown', 'pass']);
    expect(result.lines.at(-1)).toMatch(/passed with a note: 1 of 2 conditions had no data/);
  });

  it('only reads series of the target workload', async () => {
    const result = await verifyConditions([condition('cpu_usage_cores', 'below', 0.5)], metrics, target, NOW);
    expect(result.results[0]?.outcome).toBe('unknown');
  });

  it('treats every condition as unknown without a metrics source', async () => {
    const result = await verifyConditions(
      [condition('container_restarts_total', 'not-increasing')],
      null,
      target,
      NOW,
    );
    expect(result).toMatchObject({ passed: true, results: [{ outcome: 'unknown' }] });
    expect(result.lines[0]).toMatch(/no metrics source/);
  });
});

describe('signalTarget', () => {
  it('maps each target kind to the labels its signals carry', () => {
    expect(target).toEqual({ namespace: 'shop', workload: 'checkout', container: 'app' });
    expect(signalTarget({ kind: 'Node', name: 'node-1' }, {})).toEqual({ node: 'node-1' });
    expect(signalTarget({ kind: 'Pod', namespace: 'shop', name: 'checkout-1' }, {})).toEqual({
      namespace: 'shop',
      pod: 'checkout-1',
    });
  });
});
