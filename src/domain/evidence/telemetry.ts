/** A log line as every log source returns it (ECS field names, flattened). */
export interface LogLine {
  timestamp: string;
  message: string;
  level: string | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  service: string | null;
}

export type SpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer';

/** One span as every trace source returns it, with OTel attribute names (old and new) preserved. */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: SpanKind;
  /** RFC 3339 */
  start: string;
  durationMs: number;
  status: 'ok' | 'error';
  attributes: Record<string, string | number | boolean>;
}

/** A Kubernetes object as the API server returns it (JSON), kept loose on purpose. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    generation?: number;
    ownerReferences?: Array<{ kind: string; name: string; uid?: string; controller?: boolean }>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}
