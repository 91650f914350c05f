import type { Series, SignalName, SignalTarget } from '../domain/evidence/signals.js';

export interface RangeWindow {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface MetricsSource {
  /** Named signals for a target over a window; a signal with no data returns no series. */
  signals(names: readonly SignalName[], target: SignalTarget, window: RangeWindow): Promise<Series[]>;
  /** The alert's own expression (from generatorURL's g0.expr), evaluated over the window. */
  expression(promql: string, window: RangeWindow): Promise<Series[]>;
}
