import type { LogLine } from '../domain/evidence/telemetry.js';

export interface LogQuery {
  namespace?: string;
  /** Exact pod names, or a workload's pods by name prefix. */
  pods?: string[];
  podPrefix?: string;
  container?: string;
  /** Lower-case levels, e.g. ['error', 'fatal']. */
  levels?: string[];
  start: Date;
  end: Date;
  /** Lines returned at most; `total` still counts every match. */
  limit: number;
}

export interface LogResult {
  total: number;
  lines: LogLine[];
}

export interface LogSource {
  search(query: LogQuery): Promise<LogResult>;
}
