import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startMedic, type TestMedic } from '../support/medic.js';
import { freePort, waitFor } from '../support/ports.js';
import { ThrowawayRedis } from '../support/redis.js';
import { type Child, spawnChild } from './children.js';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const token = randomBytes(16).toString('hex');

interface Incident {
  id: string;
  title: string;
  namespace: string | null;
  state: string;
  severity: string | null;
  alertCount: number;
  firingCount: number;
}

/** A real Alertmanager (no clustering) whose only receiver is medic's webhook, with the bearer token. */
async function startAlertmanager(webhookUrl: string): Promise<{ url: string; child: Child }> {
  const dir = mkdtempSync(join(tmpdir(), 'medic-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    stringify({
      route: {
        receiver: 'medic',
        group_by: ['alertname', 'namespace'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'medic',
          webhook_configs: [
            {
              url: webhookUrl,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: token } },
            },
          ],
        },
      ],
    }),
  );
  const port = await freePort();
  const child = spawnChild(ALERTMANAGER, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Alertmanager to be ready', async () => {
    if (child.process.exitCode !== null) throw new Error(`Alertmanager exited:\n${child.stderr()}`);
    return (await fetch(`${url}/-/ready`)).ok;
  });
  return { url, child };
}

/** Pushes alerts the way Prometheus does: POST /api/v2/alerts. */
async function pushAlerts(alertmanager: string, alerts: unknown[]): Promise<void> {
  const response = await fetch(`${alertmanager}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(response.status, await response.text()).toBe(200);
}

describe('a real Alertmanager delivering to medic', () => {
  let redis: ThrowawayRedis;
  let medic: TestMedic;
  let alertmanager: { url: string; child: Child };

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    medic = await startMedic({ redisUrl: redis.url, env: { MEDIC_WEBHOOK_TOKEN: token } });
    alertmanager = await startAlertmanager(`${medic.url}/v1/webhooks/alertmanager`);
  });

  afterAll(async () => {
    await alertmanager?.child.kill();
    await medic?.stop();
    await redis?.stop();
  });

  const incidents = async (): Promise<Incident[]> => {
    const response = await medic.get('/v1/incidents');
    expect(response.status).toBe(200);
    return (response.body as { incidents: Incident[] }).incidents;
  };

  it('opens an incident from a firing group and resolves it when Alertmanager sends resolved', async () => {
    // The webhook really is protected, so anything that arrives below came with Alertmanager's bearer token.
    expect((await medic.post('/v1/webhooks/alertmanager', {})).status).toBe(401);

    const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const alert = (namespace: string, pod: string) => ({
      labels: { alertname: 'KubePodCrashLooping', severity: 'critical', namespace, pod, container: 'app' },
      annotations: { summary: `${pod} is crash looping` },
      startsAt,
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    });
    const checkout = [alert('shop', 'checkout-7d9f8b6c4d-bcdfg'), alert('shop', 'checkout-7d9f8b6c4d-hjklm')];
    const ledger = alert('pay', 'ledger-0');
    await pushAlerts(alertmanager.url, [...checkout, ledger]);

    // Two groups (alertname × namespace), so two notifications and two incidents.
    const opened = await waitFor(
      'both incidents to appear in medic',
      async () => {
        const list = await incidents();
        const shop = list.find((incident) => incident.namespace === 'shop');
        const pay = list.find((incident) => incident.namespace === 'pay');
        return shop?.alertCount === 2 && pay ? { shop, pay, all: list } : null;
      },
      15_000,
    );
    expect(opened.all).toHaveLength(2);
    expect(opened.shop).toMatchObject({
      title: 'KubePodCrashLooping on Deployment/checkout',
      namespace: 'shop',
      // Still firing: the pipeline may have moved it on (escalated: no cluster here), never resolved.
      state: expect.not.stringMatching(/^resolved$/),
      severity: 'critical',
      alertCount: 2,
      firingCount: 2,
    });
    expect(opened.pay).toMatchObject({
      title: 'KubePodCrashLooping on StatefulSet/ledger',
      namespace: 'pay',
      // Still firing: the pipeline may have moved it on (escalated: no cluster here), never resolved.
      state: expect.not.stringMatching(/^resolved$/),
      alertCount: 1,
    });
    const detail = await medic.get(`/v1/incidents/${opened.shop.id}`);
    const alerts = (
      detail.body as { alerts: Array<{ labels: Record<string, string>; generatorURL: string }> }
    ).alerts;
    expect(alerts.map((a) => a.labels['pod']).sort()).toEqual(checkout.map((a) => a.labels.pod).sort());
    expect(alerts[0]?.generatorURL).toBe('http://prometheus.example:9090/graph?g0.expr=up');

    // Resolve the checkout alerts the way Prometheus does: the same alerts again, with endsAt in the past.
    const endsAt = new Date(Date.now() - 1000).toISOString();
    await pushAlerts(
      alertmanager.url,
      checkout.map((a) => ({ ...a, endsAt })),
    );
    const resolved = await waitFor(
      'the checkout incident to be resolved',
      async () => {
        const shop = (await incidents()).find((incident) => incident.id === opened.shop.id);
        return shop?.state === 'resolved' ? shop : null;
      },
      25_000,
    );
    expect(resolved).toMatchObject({ alertCount: 2, firingCount: 0 });

    // Only that group was resolved; the same incident was updated, no new one opened.
    const after = await incidents();
    expect(after).toHaveLength(2);
    expect(after.find((incident) => incident.id === opened.pay.id)).toMatchObject({
      state: expect.not.stringMatching(/^resolved$/),
    });
    const timeline = (await medic.get(`/v1/incidents/${opened.shop.id}`)).body as {
      timeline: Array<{ type: string }>;
    };
    expect(timeline.timeline.map((event) => event.type)).toContain('incident.resolved');
    expect(await medic.runtime.store.verify()).toMatchObject({ ok: true });
  });
});
