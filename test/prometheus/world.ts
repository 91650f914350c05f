import type { SignalName, SignalTarget } from '../../src/domain/evidence/signals.js';
import type { FakeSeries } from './exporter.js';

/** kube-prometheus-style series for checkout (Deployment), postgres (StatefulSet) and payments (Spring). */
const app = { namespace: 'shop', pod: 'checkout-7d9f8-abcde', container: 'app' };
const staging = { namespace: 'staging', pod: 'checkout-7d9f8-zzzzz', container: 'app' };
const node = { instance: 'node-1:9100', job: 'node-exporter' };
const pg = { namespace: 'db', pod: 'postgres-0', container: 'exporter' };
const payments = { namespace: 'shop', pod: 'payments-5c6b7-qwert', container: 'app' };
const root = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
const data = { device: '/dev/sdb1', fstype: 'xfs', mountpoint: '/data' };
const tmp = { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' };

/** Namespace of a series whose labels try to break out of a matcher; it must be matched literally. */
export const trickyNamespace = 'x"} or vector(1) or {a="\\n\nend';

const g = (name: string, labels: Record<string, string>, value: number): FakeSeries => ({
  name,
  labels,
  sample: { value },
});
const c = (name: string, labels: Record<string, string>, rate: number): FakeSeries => ({
  name,
  labels,
  sample: { rate },
});

export const world: FakeSeries[] = [
  g('container_memory_working_set_bytes', app, 500_000_000),
  g('container_memory_working_set_bytes', { ...app, container: '' }, 900_000_000),
  g('container_memory_working_set_bytes', { ...app, container: 'POD' }, 1_000_000),
  g('container_memory_working_set_bytes', staging, 700_000_000),
  g(
    'container_memory_working_set_bytes',
    { namespace: trickyNamespace, pod: 'odd-1', container: 'app' },
    123,
  ),
  c('container_cpu_usage_seconds_total', { ...app, cpu: 'total' }, 0.25),
  c('container_cpu_usage_seconds_total', { ...app, container: '', cpu: 'total' }, 5),
  c('container_cpu_usage_seconds_total', { ...staging, cpu: 'total' }, 3),
  c('container_cpu_cfs_periods_total', app, 10),
  c('container_cpu_cfs_throttled_periods_total', app, 2.5),
  g('kube_pod_container_resource_limits', { ...app, resource: 'memory', unit: 'byte' }, 1_073_741_824),
  g('kube_pod_container_resource_limits', { ...app, resource: 'cpu', unit: 'core' }, 2),
  g('kube_pod_container_resource_requests', { ...app, resource: 'memory', unit: 'byte' }, 536_870_912),
  g('kube_pod_container_resource_requests', { ...app, resource: 'cpu', unit: 'core' }, 0.5),
  g('kube_pod_container_resource_limits', { ...staging, resource: 'memory', unit: 'byte' }, 1),
  g('kube_pod_container_status_restarts_total', app, 7),
  g('kube_pod_container_status_restarts_total', staging, 1),
  g('kube_pod_container_status_last_terminated_reason', { ...app, reason: 'OOMKilled' }, 1),
  g('kube_pod_container_status_last_terminated_reason', { ...staging, reason: 'Error' }, 1),
  c('http_requests_total', { ...app, code: '200', method: 'GET' }, 9),
  c('http_requests_total', { ...app, code: '500', method: 'GET' }, 1),
  c('http_request_duration_seconds_bucket', { ...app, le: '0.1' }, 0),
  c('http_request_duration_seconds_bucket', { ...app, le: '0.5' }, 0),
  c('http_request_duration_seconds_bucket', { ...app, le: '1' }, 2),
  c('http_request_duration_seconds_bucket', { ...app, le: '+Inf' }, 2),
  c('http_server_requests_seconds_count', { ...payments, status: '200', uri: '/pay' }, 4),
  c('http_server_requests_seconds_count', { ...payments, status: '503', uri: '/pay' }, 1),
  c('http_server_requests_seconds_bucket', { ...payments, le: '0.25' }, 0),
  c('http_server_requests_seconds_bucket', { ...payments, le: '0.5' }, 5),
  c('http_server_requests_seconds_bucket', { ...payments, le: '+Inf' }, 5),
  g('kube_deployment_spec_replicas', { namespace: 'shop', deployment: 'checkout' }, 3),
  g('kube_deployment_status_replicas_available', { namespace: 'shop', deployment: 'checkout' }, 2),
  g('kube_deployment_spec_replicas', { namespace: 'shop', deployment: 'payments' }, 9),
  g('kube_statefulset_replicas', { namespace: 'db', statefulset: 'postgres' }, 3),
  g('kube_statefulset_status_replicas_ready', { namespace: 'db', statefulset: 'postgres' }, 1),
  g(
    'kube_horizontalpodautoscaler_info',
    {
      namespace: 'shop',
      horizontalpodautoscaler: 'checkout-hpa',
      scaletargetref_kind: 'Deployment',
      scaletargetref_name: 'checkout',
    },
    1,
  ),
  g(
    'kube_horizontalpodautoscaler_status_current_replicas',
    { namespace: 'shop', horizontalpodautoscaler: 'checkout-hpa' },
    3,
  ),
  g(
    'kube_horizontalpodautoscaler_spec_max_replicas',
    { namespace: 'shop', horizontalpodautoscaler: 'checkout-hpa' },
    5,
  ),
  g(
    'kube_horizontalpodautoscaler_spec_max_replicas',
    { namespace: 'shop', horizontalpodautoscaler: 'other' },
    50,
  ),
  g('kafka_consumergroup_lag', { consumergroup: 'checkout', topic: 'orders', partition: '0' }, 100),
  g('kafka_consumergroup_lag', { consumergroup: 'checkout', topic: 'orders', partition: '1' }, 50),
  g('kafka_consumergroup_lag', { consumergroup: 'billing', topic: 'orders', partition: '0' }, 9999),
  c('node_cpu_seconds_total', { ...node, cpu: '0', mode: 'idle' }, 0.6),
  c('node_cpu_seconds_total', { ...node, cpu: '0', mode: 'user' }, 0.4),
  c('node_cpu_seconds_total', { ...node, cpu: '1', mode: 'idle' }, 0.8),
  c('node_cpu_seconds_total', { ...node, cpu: '1', mode: 'system' }, 0.2),
  c('node_cpu_seconds_total', { ...node, instance: 'node-10:9100', cpu: '0', mode: 'idle' }, 0),
  g('node_memory_MemAvailable_bytes', node, 2_000_000_000),
  g('node_memory_MemAvailable_bytes', { ...node, instance: 'node-10:9100' }, 1),
  g('node_filesystem_avail_bytes', { ...node, ...root }, 25e9),
  g('node_filesystem_size_bytes', { ...node, ...root }, 100e9),
  g('node_filesystem_avail_bytes', { ...node, ...data }, 50e9),
  g('node_filesystem_size_bytes', { ...node, ...data }, 100e9),
  g('node_filesystem_avail_bytes', { ...node, ...tmp }, 1e6),
  g('node_filesystem_size_bytes', { ...node, ...tmp }, 100e6),
  g('pg_stat_activity_count', { ...pg, datname: 'app', state: 'active' }, 30),
  g('pg_stat_activity_count', { ...pg, datname: 'app', state: 'idle' }, 12),
  g('pg_settings_max_connections', pg, 100),
];

export interface Expectation {
  signal: SignalName;
  target: SignalTarget;
  value: number;
  /** Relative tolerance (counters: rates are computed from scrapes). */
  tolerance: number;
}

const checkout: SignalTarget = { namespace: 'shop', workload: 'checkout', container: 'app', node: 'node-1' };
const postgres: SignalTarget = { namespace: 'db', workload: 'postgres' };
const spring: SignalTarget = { namespace: 'shop', workload: 'payments' };
const exact = 1e-9;
const rate = 0.05;

export const expectations: Expectation[] = [
  { signal: 'memory_working_set_bytes', target: checkout, value: 500_000_000, tolerance: exact },
  { signal: 'memory_limit_bytes', target: checkout, value: 1_073_741_824, tolerance: exact },
  { signal: 'memory_request_bytes', target: checkout, value: 536_870_912, tolerance: exact },
  { signal: 'cpu_usage_cores', target: checkout, value: 0.25, tolerance: rate },
  { signal: 'cpu_limit_cores', target: checkout, value: 2, tolerance: exact },
  { signal: 'cpu_request_cores', target: checkout, value: 0.5, tolerance: exact },
  { signal: 'cpu_throttled_ratio', target: checkout, value: 0.25, tolerance: rate },
  { signal: 'container_restarts_total', target: checkout, value: 7, tolerance: exact },
  { signal: 'oom_kills_total', target: checkout, value: 7, tolerance: exact },
  { signal: 'http_requests_per_second', target: checkout, value: 10, tolerance: rate },
  { signal: 'http_error_ratio', target: checkout, value: 0.1, tolerance: rate },
  { signal: 'http_latency_p99_seconds', target: checkout, value: 0.995, tolerance: rate },
  { signal: 'replicas_desired', target: checkout, value: 3, tolerance: exact },
  { signal: 'replicas_available', target: checkout, value: 2, tolerance: exact },
  { signal: 'hpa_current_replicas', target: checkout, value: 3, tolerance: exact },
  { signal: 'hpa_max_replicas', target: checkout, value: 5, tolerance: exact },
  { signal: 'consumer_lag', target: checkout, value: 150, tolerance: exact },
  { signal: 'node_cpu_utilisation', target: checkout, value: 0.3, tolerance: rate },
  { signal: 'node_memory_available_bytes', target: checkout, value: 2_000_000_000, tolerance: exact },
  { signal: 'node_disk_free_ratio', target: checkout, value: 0.25, tolerance: exact },
  { signal: 'db_connections_in_use', target: postgres, value: 42, tolerance: exact },
  { signal: 'db_connections_max', target: postgres, value: 100, tolerance: exact },
  // The other conventions each default template falls back to.
  { signal: 'replicas_desired', target: postgres, value: 3, tolerance: exact },
  { signal: 'replicas_available', target: postgres, value: 1, tolerance: exact },
  { signal: 'http_requests_per_second', target: spring, value: 5, tolerance: rate },
  { signal: 'http_error_ratio', target: spring, value: 0.2, tolerance: rate },
  { signal: 'http_latency_p99_seconds', target: spring, value: 0.4975, tolerance: rate },
];
