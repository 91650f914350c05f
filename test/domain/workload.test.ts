import { describe, expect, it } from 'vitest';
import { correlationKeyFor, normaliseAlert } from '../../src/domain/alert.js';
import {
  defaultWorkloadLabelSets,
  workloadFromLabels,
  workloadFromPodName,
} from '../../src/domain/workload.js';

describe('workloadFromPodName', () => {
  it.each([
    ['checkout-7d9f8b6c5-x2x7q', 'Deployment', 'checkout'],
    ['payments-api-v2-5c8d7f9b4-qz2wn', 'Deployment', 'payments-api-v2'],
    ['postgres-0', 'StatefulSet', 'postgres'],
    ['kafka-broker-12', 'StatefulSet', 'kafka-broker'],
    ['node-exporter-x7k2p', 'DaemonSet', 'node-exporter'],
    ['nightly-backup-28391234-5n7xq', 'Job', 'nightly-backup'],
    ['standalone', 'Pod', 'standalone'],
    // Words that look like suffixes but contain vowels or excluded digits are names, not hashes.
    ['redis-cache', 'Pod', 'redis-cache'],
    ['api-gateway-house', 'Pod', 'api-gateway-house'],
  ])('%s → %s/%s', (pod, kind, name) => {
    expect(workloadFromPodName(pod)).toMatchObject({ kind, name });
  });
});

describe('workloadFromLabels', () => {
  it('prefers explicit workload labels over pod and node', () => {
    expect(workloadFromLabels({ deployment: 'web', pod: 'other-7d9f8b6c5-x2x7q', node: 'n1' })).toEqual({
      kind: 'Deployment',
      name: 'web',
      inferred: false,
    });
    expect(workloadFromLabels({ statefulset: 'db', pod: 'db-0' })?.kind).toBe('StatefulSet');
    expect(workloadFromLabels({ job_name: 'migrate' })?.kind).toBe('Job');
  });

  it('does not treat the scrape job label as a Kubernetes Job', () => {
    expect(workloadFromLabels({ job: 'kube-state-metrics', node: 'worker-3' })).toEqual({
      kind: 'Node',
      name: 'worker-3',
      inferred: false,
    });
  });

  it('uses configured label names', () => {
    const sets = { ...defaultWorkloadLabelSets, deployment: ['app_kubernetes_io_name'] };
    expect(workloadFromLabels({ app_kubernetes_io_name: 'cart' }, sets)?.name).toBe('cart');
    expect(workloadFromLabels({ app_kubernetes_io_name: 'cart' })).toBeNull();
  });
});

describe('correlation keys', () => {
  const labels = {
    cluster: ['cluster'],
    namespace: ['namespace'],
    workload: defaultWorkloadLabelSets,
    defaultCluster: 'prod',
  };
  const alert = (extra: Record<string, string>) =>
    normaliseAlert(
      {
        status: 'firing',
        labels: { alertname: 'X', ...extra },
        annotations: {},
        startsAt: '2026-01-01T00:00:00Z',
      },
      new Date(),
      labels,
    );

  it('joins a pod alert and a deployment alert for the same workload', () => {
    expect(alert({ namespace: 'shop', pod: 'checkout-7d9f8b6c5-x2x7q' }).correlationKey).toBe(
      alert({ namespace: 'shop', deployment: 'checkout' }).correlationKey,
    );
  });

  it('separates clusters, namespaces and workloads', () => {
    const base = alert({ namespace: 'shop', deployment: 'checkout' }).correlationKey;
    expect(alert({ cluster: 'eu', namespace: 'shop', deployment: 'checkout' }).correlationKey).not.toBe(base);
    expect(alert({ namespace: 'staging', deployment: 'checkout' }).correlationKey).not.toBe(base);
    expect(alert({ namespace: 'shop', deployment: 'cart' }).correlationKey).not.toBe(base);
  });

  it('keys alerts without a workload by alertname, and node alerts without a namespace', () => {
    expect(correlationKeyFor('prod', null, null, 'Watchdog')).toBe('prod/_/alertname:Watchdog');
    expect(alert({ namespace: 'monitoring', node: 'worker-1' }).correlationKey).toBe('prod/_/node:worker-1');
  });

  it('treats Go zero time as no end, and derives a stable key from fingerprint, start and status', () => {
    const a = normaliseAlert(
      {
        status: 'firing',
        labels: { alertname: 'X' },
        annotations: {},
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
      },
      new Date(),
      labels,
    );
    const b = normaliseAlert(
      { status: 'firing', labels: { alertname: 'X' }, annotations: {}, startsAt: '2026-01-01T00:00:00.000Z' },
      new Date(0),
      labels,
    );
    expect(a.endsAt).toBeNull();
    expect(a.key).toBe(b.key);
    const resolved = normaliseAlert(
      { status: 'resolved', labels: { alertname: 'X' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z' },
      new Date(),
      labels,
    );
    expect(resolved.key).not.toBe(a.key);
  });
});
