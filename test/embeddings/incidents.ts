import type { SignatureInput } from '../../src/domain/memory/signature.js';

/** Realistic incident signatures: each `query` should be nearer its `match` than its `distractor`. */
export interface SimilarityCase {
  name: string;
  query: SignatureInput;
  /** Same failure mode, different service. */
  match: SignatureInput;
  /** Same namespace/service words, different failure mode. */
  distractor: SignatureInput;
}

export const cases: SimilarityCase[] = [
  {
    name: 'OOM in checkout vs OOM in ledger, not a CrashLoop after a checkout deploy',
    query: {
      alertnames: ['KubePodOOMKilled'],
      labels: {
        namespace: 'shop',
        pod: 'checkout-7d9f8b6c5d-x2k9p',
        container: 'checkout',
        severity: 'critical',
        instance: '10.42.3.17:8080',
      },
      anomalies: [
        { signal: 'memory_working_set_bytes', direction: 'near limit' },
        { signal: 'kube_pod_container_status_restarts_total', direction: 'rising' },
      ],
      terminationReasons: ['OOMKilled'],
      logTemplates: [
        'java.lang.OutOfMemoryError: Java heap space',
        'GC overhead limit exceeded after <NUM> ms',
      ],
    },
    match: {
      alertnames: ['KubePodOOMKilled'],
      labels: {
        namespace: 'payments',
        pod: 'ledger-5c6b9d7f4-q8w2r',
        container: 'ledger',
        severity: 'critical',
      },
      anomalies: [
        { signal: 'memory_working_set_bytes', direction: 'near limit' },
        { signal: 'kube_pod_container_status_restarts_total', direction: 'rising' },
      ],
      terminationReasons: ['OOMKilled'],
      logTemplates: ['fatal error: runtime: out of memory'],
    },
    distractor: {
      alertnames: ['KubePodCrashLooping'],
      labels: {
        namespace: 'shop',
        pod: 'checkout-6f8d7c9b5-m4n7t',
        container: 'checkout',
        severity: 'critical',
      },
      anomalies: [{ signal: 'kube_pod_container_status_restarts_total', direction: 'rising' }],
      terminationReasons: ['Error'],
      waitingReasons: ['CrashLoopBackOff'],
      changes: ['deploy'],
      logTemplates: ['panic: missing required env CHECKOUT_DB_URL', 'checkout exited with code <NUM>'],
    },
  },
  {
    name: 'HPA saturation with latency in two services vs a node NotReady in the same namespace',
    query: {
      alertnames: ['KubeHpaMaxedOut', 'HighRequestLatency'],
      labels: { namespace: 'search', deployment: 'query-api', severity: 'warning' },
      anomalies: [
        { signal: 'cpu_usage_cores', direction: 'near limit' },
        { signal: 'http_request_duration_seconds_p99', direction: 'rising' },
      ],
      hpaAtMax: true,
      logTemplates: ['request timed out after <DUR> upstream=<IP>'],
    },
    match: {
      alertnames: ['KubeHpaMaxedOut', 'HighRequestLatency'],
      labels: { namespace: 'media', deployment: 'thumbnailer', severity: 'warning' },
      anomalies: [
        { signal: 'cpu_usage_cores', direction: 'near limit' },
        { signal: 'http_request_duration_seconds_p99', direction: 'rising' },
      ],
      hpaAtMax: true,
    },
    distractor: {
      alertnames: ['KubeNodeNotReady'],
      labels: { namespace: 'search', deployment: 'query-api', severity: 'warning' },
      anomalies: [{ signal: 'replicas_available', direction: 'falling' }],
      nodeConditions: ['NotReady'],
      warningReasons: ['NodeNotReady', 'FailedScheduling'],
      logTemplates: ['request timed out after <DUR> upstream=<IP>'],
    },
  },
  {
    name: 'DB connection pool exhaustion vs an image pull failure of the same service',
    query: {
      alertnames: ['HighErrorRate'],
      labels: { namespace: 'orders', deployment: 'order-service', severity: 'critical' },
      anomalies: [{ signal: 'db_connections_in_use', direction: 'near limit' }],
      traceErrorEdges: [{ from: 'order-service', to: 'postgres' }],
      logTemplates: ['HikariPool-1 - Connection is not available, request timed out after <NUM>ms'],
    },
    match: {
      alertnames: ['HighErrorRate'],
      labels: { namespace: 'billing', deployment: 'invoice-worker', severity: 'critical' },
      anomalies: [{ signal: 'db_connections_in_use', direction: 'near limit' }],
      traceErrorEdges: [{ from: 'invoice-worker', to: 'postgres' }],
      logTemplates: ['sorry, too many clients already: connection is not available'],
    },
    distractor: {
      alertnames: ['KubeDeploymentReplicasMismatch'],
      labels: { namespace: 'orders', deployment: 'order-service', severity: 'critical' },
      anomalies: [{ signal: 'replicas_available', direction: 'falling' }],
      waitingReasons: ['ImagePullBackOff'],
      changes: ['deploy'],
      logTemplates: ['Failed to pull image order-service:<*> not found'],
    },
  },
];
