import type { LogLine } from '../../domain/evidence/telemetry.js';
import type { LogQuery, LogResult, LogSource } from '../../ports/log-source.js';

/** Levels that sort first: what an investigator reads before anything else. */
export const errorLevels: ReadonlySet<string> = new Set([
  'error',
  'err',
  'fatal',
  'critical',
  'crit',
  'alert',
  'emerg',
  'emergency',
  'panic',
  'severe',
]);

function matches(line: LogLine, query: LogQuery, levels: ReadonlySet<string> | null): boolean {
  const at = Date.parse(line.timestamp);
  if (at < query.start.getTime() || at > query.end.getTime()) return false;
  if (query.namespace !== undefined && line.namespace !== query.namespace) return false;
  if (query.container !== undefined && line.container !== query.container) return false;
  if (query.pods !== undefined || query.podPrefix !== undefined) {
    const pod = line.pod ?? '';
    const exact = query.pods?.includes(pod) ?? false;
    const prefixed = query.podPrefix !== undefined && line.pod !== null && pod.startsWith(query.podPrefix);
    if (!exact && !prefixed) return false;
  }
  if (levels !== null && (line.level === null || !levels.has(line.level))) return false;
  return true;
}

/**
 * LogSource over a case's logs.jsonl. Window bounds are inclusive; `pods` and `podPrefix` together
 * match either. Lines come error-level first, then the rest, each group oldest first.
 */
export class ReplayLogSource implements LogSource {
  private readonly lines: ReadonlyArray<{ line: LogLine; at: number }>;

  constructor(lines: readonly LogLine[]) {
    this.lines = lines.map((line) => ({ line, at: Date.parse(line.timestamp) }));
  }

  async search(query: LogQuery): Promise<LogResult> {
    const levels = query.levels === undefined ? null : new Set(query.levels.map((l) => l.toLowerCase()));
    const found = this.lines.filter(({ line }) => matches(line, query, levels));
    const rank = (line: LogLine) => (line.level !== null && errorLevels.has(line.level) ? 0 : 1);
    const sorted = [...found].sort((a, b) => rank(a.line) - rank(b.line) || a.at - b.at);
    return {
      total: found.length,
      lines: sorted.slice(0, Math.max(0, query.limit)).map(({ line }) => ({ ...line })),
    };
  }
}
