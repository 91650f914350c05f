/** The named signals every metrics adapter knows (CONTRACTS.md); add more, rename none. */
export const signalNames = [
  'memory_working_set_bytes',
  'memory_limit_bytes',
  'memory_request_bytes',
  'cpu_usage_cores',
  'cpu_limit_cores',
  'cpu_request_cores',
  'cpu_throttled_ratio',
  'container_restarts_total',
  'oom_kills_total',
  'http_requests_per_second',
  'http_error_ratio',
  'http_latency_p99_seconds',
  'replicas_desired',
  'replicas_available',
  'hpa_current_replicas',
  'hpa_max_replicas',
  'consumer_lag',
  'node_cpu_utilisation',
  'node_memory_available_bytes',
  'node_disk_free_ratio',
  'db_connections_in_use',
  'db_connections_max',
] as const;

export type SignalName = (typeof signalNames)[number];

export function isSignalName(value: string): value is SignalName {
  return (signalNames as readonly string[]).includes(value);
}

/** One time series: points are [unix milliseconds, value], oldest first; NaN never appears (gaps are omitted). */
export interface Series {
  signal: string;
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

/** What a signal is about. Unset fields are not filtered on. */
export interface SignalTarget {
  cluster?: string;
  namespace?: string;
  /** Workload name; pods are matched by the workload's name prefix. */
  workload?: string;
  pod?: string;
  container?: string;
  node?: string;
}
