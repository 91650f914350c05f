import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultTemplates } from '../../src/adapters/prometheus/catalog.js';
import {
  alertExpression,
  expressionSignal,
  PrometheusSource,
  PrometheusUnavailableError,
} from '../../src/adapters/prometheus/source.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { type Series, signalNames } from '../../src/domain/evidence/signals.js';
import type { RangeWindow } from '../../src/ports/metrics-source.js';
import { freePort, waitFor } from '../support/ports.js';
import { startBlackHole, startExporter } from './exporter.js';
import { expectations, trickyNamespace, world } from './world.js';

const PROMETHEUS = '/usr/bin/prometheus';

let prometheus: ChildProcess | undefined;
let prometheusUrl = '';
let dir = '';
const servers: Server[] = [];
let stderr = '';

function recent(seconds = 10): RangeWindow {
  const end = new Date();
  return { start: new Date(end.getTime() - seconds * 1000), end, stepSeconds: 1 };
}

function source(extra: Record<string, unknown> = {}): PrometheusSource {
  return new PrometheusSource({ url: prometheusUrl, timeoutMs: 5_000, rateWindow: '5s', ...extra });
}

function last(series: Series): number {
  const point = series.points.at(-1);
  if (!point) throw new Error(`series ${series.signal} has no points`);
  return point[1];
}

async function instant(query: string): Promise<number> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await (await fetch(url)).json()) as {
    data?: { result?: Array<{ value: [number, string] }> };
  };
  return Number(body.data?.result?.[0]?.value[1] ?? 0);
}

beforeAll(async () => {
  const exporter = await startExporter(world);
  servers.push(exporter.server);
  dir = mkdtempSync(join(tmpdir(), 'medic-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'fake',
          honor_labels: true,
          static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }],
        },
      ],
    }),
  );
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitFor(`Prometheus ready (${stderr})`, async () => (await fetch(`${prometheusUrl}/-/ready`)).ok);
  // Enough scrapes for every 5s rate window to hold several samples.
  await waitFor(
    'six scrapes',
    async () => (await instant('count_over_time(up{job="fake"}[1m])')) >= 6,
    20_000,
  );
});

afterAll(async () => {
  const child = prometheus;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  for (const server of servers) server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PrometheusSource against a real Prometheus', () => {
  it('has a template for every signal and a test expectation for each', () => {
    expect(Object.keys(defaultTemplates).sort()).toEqual([...signalNames].sort());
    expect(new Set(expectations.map((e) => e.signal))).toEqual(new Set(signalNames));
  });

  it.each(expectations)('$signal for $target.workload returns the exported value', async (e) => {
    const series = await source().signals([e.signal], e.target, recent());
    expect(series, `${e.signal}: ${JSON.stringify(series)}`).toHaveLength(1);
    const [only] = series;
    if (!only) throw new Error('unreachable');
    expect(only.signal).toBe(e.signal);
    expect(only.points.length).toBeGreaterThan(1);
    for (const [ms] of only.points) expect(Number.isInteger(ms)).toBe(true);
    const value = last(only);
    expect(Math.abs(value - e.value), `${e.signal} = ${value}, want ${e.value}`).toBeLessThanOrEqual(
      Math.abs(e.value) * e.tolerance,
    );
  });

  it('fetches many signals in one call, labelled by namespace/pod/container', async () => {
    const target = { namespace: 'shop', workload: 'checkout', container: 'app' };
    const names = ['memory_working_set_bytes', 'memory_limit_bytes', 'cpu_usage_cores'] as const;
    const series = await source().signals(names, target, recent());
    expect(series.map((s) => s.signal).sort()).toEqual([...names].sort());
    for (const s of series) {
      expect(s.labels).toEqual({ namespace: 'shop', pod: 'checkout-7d9f8-abcde', container: 'app' });
    }
  });

  it('returns no series for a signal without data', async () => {
    const series = await source().signals(['consumer_lag'], { workload: 'nobody' }, recent());
    expect(series).toEqual([]);
  });

  it('evaluates the alert expression taken from a generatorURL', async () => {
    const generatorURL =
      'http://prometheus-k8s-0:9090/graph?g0.expr=container_memory_working_set_bytes%7Bcontainer%3D%22app%22%2C' +
      'namespace%3D%22shop%22%7D+%2F+on+%28namespace%2C+pod%2C+container%29+' +
      'kube_pod_container_resource_limits%7Bresource%3D%22memory%22%7D+%3E+0.4&g0.tab=1';
    const expr = alertExpression(generatorURL);
    expect(expr).toBe(
      'container_memory_working_set_bytes{container="app",namespace="shop"} / on (namespace, pod, container) ' +
        'kube_pod_container_resource_limits{resource="memory"} > 0.4',
    );
    const series = await source().expression(expr ?? '', recent());
    expect(series).toHaveLength(1);
    expect(series[0]?.signal).toBe(expressionSignal);
    expect(series[0]?.labels).toMatchObject({ namespace: 'shop', pod: 'checkout-7d9f8-abcde' });
    expect(last(series[0] as Series)).toBeCloseTo(500_000_000 / 1_073_741_824, 9);
  });

  it('rejects a bad template with a bad-request error naming the signal', async () => {
    const bad = source({
      signals: { cpu_limit_cores: 'sum((kube_pod_container_resource_limits{$container}' },
    });
    const error = await bad.signals(['memory_limit_bytes', 'cpu_limit_cores'], {}, recent()).catch((e) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect((error as MedicError).code).toBe(ErrorCodes.badRequest);
    expect((error as MedicError).message).toContain('cpu_limit_cores');
    expect((error as MedicError).details['signal']).toBe('cpu_limit_cores');
    const badExpr = await source()
      .expression('rate(up[', recent())
      .catch((e) => e);
    expect((badExpr as MedicError).code).toBe(ErrorCodes.badRequest);
  });

  it('matches label values literally: no injection, no regex', async () => {
    const tricky = await source().signals(
      ['memory_working_set_bytes'],
      { namespace: trickyNamespace, workload: 'odd' },
      recent(),
    );
    expect(tricky).toHaveLength(1);
    expect(tricky[0]?.labels['namespace']).toBe(trickyNamespace);
    expect(last(tricky[0] as Series)).toBe(123);
    for (const namespace of ['shop"} or vector(42) or {a="', 'shop"}) or vector(42) #', 'shop\\']) {
      expect(await source().signals(['memory_working_set_bytes'], { namespace }, recent())).toEqual([]);
    }
    // A workload name is a literal prefix, not a regex.
    expect(await source().signals(['memory_working_set_bytes'], { workload: '.*' }, recent())).toEqual([]);
    expect(await source().signals(['memory_working_set_bytes'], { workload: 'check.ut' }, recent())).toEqual(
      [],
    );
    // Node names match with or without the exporter's port, not by prefix.
    const nodes = await source().signals(['node_memory_available_bytes'], { node: 'node-1' }, recent());
    expect(nodes.map((s) => s.labels['instance'])).toEqual(['node-1:9100']);
  });

  it('fails fast when Prometheus is down', async () => {
    const down = new PrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 5_000 });
    const started = Date.now();
    const error = await down.signals(['memory_working_set_bytes'], {}, recent()).catch((e) => e);
    expect(error).toBeInstanceOf(PrometheusUnavailableError);
    expect((error as Error).message).toMatch(/unreachable.*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(down.ping()).rejects.toBeInstanceOf(PrometheusUnavailableError);
  });

  it('times out a Prometheus that never answers', async () => {
    const hole = await startBlackHole();
    servers.push(hole.server);
    const slow = new PrometheusSource({ url: `http://127.0.0.1:${hole.port}`, timeoutMs: 300 });
    const started = Date.now();
    const error = await slow.expression('up', recent()).catch((e) => e);
    expect(error).toBeInstanceOf(PrometheusUnavailableError);
    expect((error as Error).message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
    hole.server.closeAllConnections();
  });

  it('treats a non-API answer as unavailable', async () => {
    const notProm = new PrometheusSource({ url: `${prometheusUrl}/nothing-here/` });
    const error = await notProm.expression('up', recent()).catch((e) => e);
    expect(error).toBeInstanceOf(PrometheusUnavailableError);
    expect((error as Error).message).toMatch(/HTTP 404|not its JSON API/);
    await expect(source().ping()).resolves.toBeUndefined();
  });
});
