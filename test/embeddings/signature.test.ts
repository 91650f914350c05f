import { describe, expect, it } from 'vitest';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import type { SignalSummary } from '../../src/domain/evidence/signal-summary.js';
import {
  anomalyOf,
  normaliseLabels,
  scrubVolatile,
  signatureFromEvidence,
  signatureText,
  workloadFromPod,
} from '../../src/domain/memory/signature.js';

const summary = (over: Partial<SignalSummary>): SignalSummary => ({
  signal: 'cpu_usage_cores',
  labels: {},
  last: 1,
  min: 1,
  max: 1,
  slopePerMinute: 0,
  baselineMean: 1,
  changeRatio: 0,
  reference: null,
  ratioToReference: null,
  samples: 10,
  ...over,
});

describe('signature text', () => {
  it('strips pod hashes and ordinals from workload names', () => {
    expect(workloadFromPod('checkout-7d9f8b6c5d-x2k9p')).toBe('checkout');
    expect(workloadFromPod('node-exporter-4xk2p')).toBe('node-exporter');
    expect(workloadFromPod('redis-2')).toBe('redis');
    expect(workloadFromPod('api')).toBe('api');
  });

  it('keeps namespace, workload, container and severity and drops pods, instances and IPs', () => {
    expect(
      normaliseLabels({
        alertname: 'KubePodOOMKilled',
        namespace: 'shop',
        pod: 'cart-5b4c7d2f8f-bxkzp',
        container: 'cart',
        instance: '10.1.2.3:8080',
        pod_ip: '10.1.2.3',
        job: 'kube-state-metrics',
        service: 'prometheus-kube-state-metrics',
        severity: 'Critical',
        uid: '0f8fad5b-d9cb-469f-a165-70867728950e',
      }),
    ).toEqual({ namespace: 'shop', workload: 'cart', container: 'cart', severity: 'critical' });
    expect(normaliseLabels({ deployment: 'api', pod: 'other-abcde' })).toEqual({ workload: 'api' });
    expect(normaliseLabels({ service: 'billing' })).toEqual({ workload: 'billing' });
  });

  it('drops volatile tokens from logs and diagnosis', () => {
    expect(
      scrubVolatile(
        'conn to 10.0.3.4:5432 failed after 30s id=0f8fad5b-d9cb-469f-a165-70867728950e sha=a1b2c3d4e5f6 <*> <NUM>',
      ),
    ).toBe('conn to failed after id= sha=');
    expect(scrubVolatile('fe80::1ff:fe23:4567:890a listening on :8080')).toBe('listening on');
  });

  it('builds sorted, de-duplicated sections in a fixed order', () => {
    const text = signatureText({
      alertnames: ['KubePodOOMKilled', 'KubePodCrashLooping', 'KubePodOOMKilled'],
      labels: {
        namespace: 'shop',
        pod: 'cart-7d9f8b6c5d-x2k9p',
        container: 'cart',
        instance: '10.0.0.7:9100',
      },
      anomalies: [
        { signal: 'memory_working_set_bytes', direction: 'near limit' },
        { signal: 'restarts', direction: 'rising' },
        { signal: 'memory_working_set_bytes', direction: 'near limit' },
      ],
      terminationReasons: ['OOMKilled', 'OOMKilled'],
      waitingReasons: ['CrashLoopBackOff'],
      hpaAtMax: true,
      nodeConditions: ['MemoryPressure'],
      changes: ['deploy'],
      traceErrorEdges: [{ from: 'frontend', to: 'cart' }],
      logTemplates: ['OutOfMemoryError at <*>', 'OutOfMemoryError at <NUM>', 'GC pause 1200ms'],
      diagnosis: 'cart leaks memory since build 4f3e2d1c0b',
    });
    expect(text).toBe(
      [
        'alert: KubePodCrashLooping KubePodOOMKilled',
        'labels: namespace shop workload cart container cart',
        'signals: memory_working_set_bytes near limit; restarts rising',
        'cluster: hpa at max replicas; node MemoryPressure; terminated OOMKilled; waiting CrashLoopBackOff',
        'changes: recent deploy',
        'traces: frontend -> cart errors',
        'logs: OutOfMemoryError at; GC pause',
        'diagnosis: cart leaks memory since build',
      ].join('\n'),
    );
    expect(signatureText({ alertnames: ['X'] })).toBe('alert: X');
    expect(text).not.toMatch(/10\.0|x2k9p|7d9f8b6c5d|4f3e2d1c0b/);
  });

  it('caps log templates', () => {
    const text = signatureText({
      alertnames: ['A'],
      logTemplates: Array.from({ length: 20 }, (_, i) => `t${'x'.repeat(i)}`),
    });
    expect(text.split('; ')).toHaveLength(8);
  });
});

describe('signatureFromEvidence', () => {
  it('classifies signal anomalies', () => {
    expect(anomalyOf(summary({ ratioToReference: 0.95 }))).toBe('near limit');
    expect(anomalyOf(summary({ signal: 'restarts', min: 0, max: 4 }))).toBe('rising');
    expect(anomalyOf(summary({ changeRatio: 2.5 }))).toBe('rising');
    expect(anomalyOf(summary({ changeRatio: -0.8 }))).toBe('falling');
    expect(anomalyOf(summary({ changeRatio: 0.2, ratioToReference: 0.5 }))).toBeNull();
  });

  it('maps an evidence bundle', () => {
    const bundle: EvidenceBundle = {
      incidentId: 'inc-1',
      collectedAt: '2026-01-01T00:10:00Z',
      window: {
        baselineStart: '2026-01-01T00:00:00Z',
        start: '2026-01-01T00:05:00Z',
        end: '2026-01-01T00:10:00Z',
      },
      sources: [],
      signals: [
        summary({ signal: 'memory_working_set_bytes', ratioToReference: 0.98 }),
        summary({ signal: 'cpu_usage_cores' }),
      ],
      alertExpression: { expr: 'x', series: [summary({ signal: 'restarts', min: 0, max: 3 })] },
      logs: {
        total: 40,
        patterns: [
          { template: 'GC took <NUM> ms', count: 30, firstSeen: '', lastSeen: '', level: 'info', sample: '' },
          {
            template: 'java.lang.OutOfMemoryError',
            count: 3,
            firstSeen: '',
            lastSeen: '',
            level: 'error',
            sample: '',
          },
        ],
      },
      traces: {
        spans: 10,
        traces: 2,
        operations: [],
        edges: [
          { from: 'web', to: 'cart', calls: 10, errors: 4 },
          { from: 'web', to: 'search', calls: 10, errors: 0 },
        ],
        errorOrigins: [],
      },
      cluster: {
        workload: null,
        rollouts: [],
        restarts: [
          {
            pod: 'cart-1',
            container: 'cart',
            restarts: 3,
            lastReason: 'OOMKilled',
            lastExitCode: 137,
            lastFinishedAt: null,
            waitingReason: 'CrashLoopBackOff',
          },
        ],
        warnings: [{ reason: 'BackOff', object: 'Pod/cart-1', message: '', count: 3, lastSeen: null }],
        hpasAtMax: [{ name: 'cart', current: 5, max: 5 }],
        nodeConditions: [
          { node: 'n1', condition: 'Ready', status: 'False', reason: null, since: null },
          { node: 'n2', condition: 'MemoryPressure', status: 'True', reason: null, since: null },
          { node: 'n3', condition: 'DiskPressure', status: 'False', reason: null, since: null },
        ],
        pendingPods: [{ pod: 'cart-2', reason: 'Unschedulable', message: null }],
      },
      changes: [{ at: '2026-01-01T00:04:00Z', kind: 'deploy', what: 'cart image a → b' }],
      trimmed: [],
    };
    const input = signatureFromEvidence(bundle, ['KubePodOOMKilled'], {
      labels: { namespace: 'shop', pod: 'cart-7d9f8b6c5d-x2k9p' },
      diagnosis: 'memory leak',
    });
    expect(input.anomalies).toEqual([
      { signal: 'memory_working_set_bytes', direction: 'near limit' },
      { signal: 'restarts', direction: 'rising' },
    ]);
    expect(input.logTemplates).toEqual(['java.lang.OutOfMemoryError', 'GC took <NUM> ms']);
    expect(input.traceErrorEdges).toEqual([{ from: 'web', to: 'cart', calls: 10, errors: 4 }]);
    expect(input.nodeConditions).toEqual(['NotReady', 'MemoryPressure']);
    expect(signatureText(input)).toBe(
      [
        'alert: KubePodOOMKilled',
        'labels: namespace shop workload cart',
        'signals: memory_working_set_bytes near limit; restarts rising',
        'cluster: event BackOff; event Unschedulable; hpa at max replicas; node MemoryPressure; node NotReady; ' +
          'terminated OOMKilled; waiting CrashLoopBackOff',
        'changes: recent deploy',
        'traces: web -> cart errors',
        'logs: java.lang.OutOfMemoryError; GC took ms',
        'diagnosis: memory leak',
      ].join('\n'),
    );
  });
});
