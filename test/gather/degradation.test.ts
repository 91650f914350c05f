import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from '../../src/adapters/prometheus/source.js';
import type { Incident, IncidentAlert } from '../../src/domain/incident.js';
import { type GatherSettings, gatherEvidence } from '../../src/pipeline/gather.js';
import { createSourceGuards } from '../../src/pipeline/source-guard.js';
import { freePort } from '../support/ports.js';

type Mode = 'ok' | 'slow' | 'garbage' | 'error';

/** Speaks Prometheus's query API, and misbehaves on request. */
class PrometheusLike {
  mode: Mode = 'ok';
  requests = 0;
  private server: Server | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.requests += 1;
      if (this.mode === 'slow') return; // never answers; the client's timeout must fire
      if (this.mode === 'garbage') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"status":"success","data":{"resultType":');
        return;
      }
      if (this.mode === 'error') {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const body = {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: new URL(request.url ?? '/', this.url).searchParams
            .get('query')
            ?.includes('container_memory_working_set_bytes')
            ? [
                {
                  metric: {
                    medic_signal: 'memory_working_set_bytes',
                    namespace: 'shop',
                    pod: 'checkout-7d9f8b6c5-x2x7q',
                    container: 'app',
                  },
                  values: [
                    [now - 60, '1000'],
                    [now, '2000'],
                  ],
                },
              ]
            : [],
        },
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

const incident: Incident = {
  id: 'inc-test-1',
  correlationKey: 'default/shop/workload:checkout',
  state: 'open',
  title: 'KubePodCrashLooping on Deployment/checkout',
  severity: 'warning',
  cluster: 'default',
  namespace: 'shop',
  workload: { kind: 'Deployment', name: 'checkout', inferred: true },
  openedAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  lastAlertAt: new Date().toISOString(),
  resolvedAt: null,
  alertCount: 1,
  firingCount: 1,
};
const alerts: IncidentAlert[] = [];

const settings: GatherSettings = {
  lookbackMinutes: 10,
  baselineMinutes: 10,
  stepSeconds: 60,
  maxChars: 50_000,
  logLines: 100,
  traces: 10,
  timeoutMs: { metrics: 300, logs: 300, traces: 300, kubernetes: 300 },
};

function guards(breakAfter = 100, halfOpenAfterMs = 60_000) {
  return createSourceGuards({ timeoutMs: settings.timeoutMs, retries: 1, breakAfter, halfOpenAfterMs });
}

let prometheus: PrometheusLike;
let source: PrometheusSource;

beforeAll(async () => {
  prometheus = new PrometheusLike(await freePort());
  await prometheus.start();
  source = new PrometheusSource({ url: prometheus.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await prometheus.stop();
});

describe('gather degrades, never fails', () => {
  it('collects from a healthy source', async () => {
    prometheus.mode = 'ok';
    const bundle = await gatherEvidence(incident, alerts, {
      sources: { metrics: source },
      guards: guards(),
      settings,
      now: new Date(),
    });
    expect(bundle.sources.find((s) => s.source === 'metrics')).toMatchObject({ state: 'ok', reason: null });
    expect(bundle.signals.find((s) => s.signal === 'memory_working_set_bytes')?.last).toBe(2000);
    expect(
      bundle.sources.filter((s) => s.source !== 'metrics').every((s) => s.state === 'unconfigured'),
    ).toBe(true);
  });

  it.each([
    ['slow past its timeout', 'slow', /no answer within 300 ms/],
    ['answering invalid JSON', 'garbage', /JSON|json|parse/],
    ['answering 503', 'error', /503|unavailable/i],
  ] as const)('marks a source %s as unavailable and goes on', async (_name, mode, reason) => {
    prometheus.mode = mode;
    const bundle = await gatherEvidence(incident, alerts, {
      sources: { metrics: source },
      guards: guards(),
      settings,
      now: new Date(),
    });
    const metrics = bundle.sources.find((s) => s.source === 'metrics');
    expect(metrics?.state).toBe('unavailable');
    expect(metrics?.reason).toMatch(reason);
    expect(bundle.signals).toEqual([]);
  });

  it('marks a source that is down as unavailable', async () => {
    const down = new PrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const bundle = await gatherEvidence(incident, alerts, {
      sources: { metrics: down },
      guards: guards(),
      settings,
      now: new Date(),
    });
    expect(bundle.sources.find((s) => s.source === 'metrics')).toMatchObject({ state: 'unavailable' });
    expect(bundle.sources.find((s) => s.source === 'metrics')?.reason).toMatch(
      /ECONNREFUSED|refused|fetch failed/i,
    );
  });

  it('opens the circuit after repeated failures, stops calling, and closes it again once the source recovers', async () => {
    const shared = guards(2, 400);
    prometheus.mode = 'error';
    await gatherEvidence(incident, alerts, {
      sources: { metrics: source },
      guards: shared,
      settings,
      now: new Date(),
    });
    expect(shared.metrics.state).toBe('open');

    const before = prometheus.requests;
    const refused = await gatherEvidence(incident, alerts, {
      sources: { metrics: source },
      guards: shared,
      settings,
      now: new Date(),
    });
    expect(refused.sources.find((s) => s.source === 'metrics')?.reason).toBe(
      'circuit open after repeated failures',
    );
    expect(prometheus.requests).toBe(before);

    prometheus.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 450));
    const recovered = await gatherEvidence(incident, alerts, {
      sources: { metrics: source },
      guards: shared,
      settings,
      now: new Date(),
    });
    expect(recovered.sources.find((s) => s.source === 'metrics')?.state).toBe('ok');
    expect(shared.metrics.state).toBe('closed');
  });
});
