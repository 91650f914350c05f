/**
 * Log pattern mining: groups similar log lines into templates with the Drain algorithm
 * (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017),
 * with Drain3-style pre-masking of obvious variables. Pure and streaming: feed lines with `add`,
 * read the templates with `patterns()`. Memory grows with the number of templates, not of lines.
 *
 * How a line is placed:
 * 1. variables are pre-masked (`<STR>` quoted strings, `<TS>`, `<UUID>`, `<IP>`, `<HEX>`, `<DUR>`, `<NUM>`);
 * 2. the parse tree is walked by token count, then by the first `prefixDepth` tokens
 *    (a token with a digit, or one past `maxChildren`, goes to the `<*>` branch);
 * 3. in that leaf, the template with the most equal tokens wins if equal/length ≥ `similarityThreshold`,
 *    and positions where it differs from the line become `<*>`; otherwise the line starts a template.
 */
import { maskSecrets } from './masking.js';
import type { LogLine } from './telemetry.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** What the miner reads of a log line. */
export type MinedLine = Pick<LogLine, 'timestamp' | 'message' | 'level'>;

export interface LogPattern {
  /** Stable for the life of the miner; `add` returns it. 0 is the overflow bucket. */
  id: number;
  /** Tokens joined by one space; `<*>` and the pre-mask placeholders mark variables. Secrets are masked. */
  template: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** The most severe level seen on a line of this template (normalised), null if none was known. */
  level: LogLevel | null;
  /** The first line of this template, secrets masked, cut to 500 characters. */
  sample: string;
}

export interface LogPatternMinerOptions {
  /** Share of equal tokens needed to join a template (Drain's st). Default 0.5. */
  similarityThreshold?: number;
  /** Leading tokens used as tree keys (Drain's depth − 2). Default 2. */
  prefixDepth?: number;
  /** Children per tree node before new tokens share the `<*>` branch. Default 100. */
  maxChildren?: number;
  /** Templates kept; lines that would start more are counted in an overflow pattern. Default 5000. */
  maxPatterns?: number;
  /** Characters of a message considered. Default 2000. */
  maxLineLength?: number;
}

const SEVERITY: Record<LogLevel, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 };
const LEVEL_SPELLINGS: Record<LogLevel, string> = {
  fatal: 'fatal panic critical crit emerg emergency alert',
  error: 'error err severe e',
  warn: 'warn warning w',
  info: 'info notice information informational i',
  debug: 'debug fine d',
  trace: 'trace finer finest verbose v',
};
const LEVEL_NAMES = new Map<string, LogLevel>(
  (Object.entries(LEVEL_SPELLINGS) as Array<[LogLevel, string]>).flatMap(([level, names]) =>
    names.split(' ').map((name): [string, LogLevel] => [name, level]),
  ),
);
const LEVEL_IN_TEXT = /\b(fatal|panic|critical|error|err|warn|warning|info|debug|trace)\b/i;

/** Maps level spellings (`ERROR`, `warning`, `E`, `crit`, ...) to a LogLevel; unknown → null. */
export function normalizeLevel(level: string | null | undefined): LogLevel | null {
  if (!level) return null;
  return LEVEL_NAMES.get(level.trim().toLowerCase()) ?? null;
}

/** The level of a line: its own, else the first level word in the message (`ERROR`, `level=warn`). */
function levelOf(line: MinedLine): LogLevel | null {
  const own = normalizeLevel(line.level);
  if (own) return own;
  const m = LEVEL_IN_TEXT.exec(line.message.slice(0, 120));
  return m ? normalizeLevel(m[1]) : null;
}

/** Quoted strings up to 500 characters (bounded: an unterminated quote costs linear time). */
const QUOTED = /"(?:[^"\\\n]|\\.){0,500}"|(?<![\w])'[^'\n]{0,500}'/g;
const DIGIT_MASKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<TS>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<IP>'],
  [/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<HEX>'],
  [/\b(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|h|m|s))+(?!\w|\.\d)/g, '<DUR>'],
  [/\b\d+(?:\.\d+)?\b/g, '<NUM>'],
];
const HAS_DIGIT = /\d/;

/** Replaces the obvious variables of a message with typed placeholders. */
export function premask(message: string): string {
  let s = message;
  if (s.includes('"') || s.includes("'")) s = s.replace(QUOTED, '<STR>');
  if (!HAS_DIGIT.test(s)) return s;
  for (const [re, placeholder] of DIGIT_MASKS) s = s.replace(re, placeholder);
  return s;
}

const WILDCARD = '<*>';
const WHITESPACE = /\s+/;

interface Cluster {
  id: number;
  tokens: string[];
  count: number;
  firstSeen: string;
  firstMs: number;
  lastSeen: string;
  lastMs: number;
  severity: number;
  sample: string;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: Cluster[];
}

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] });

/** Milliseconds of a timestamp for ordering; an unparseable one sorts before every parseable one. */
function timeOf(ts: string): number {
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

export class LogPatternMiner {
  private readonly threshold: number;
  private readonly prefixDepth: number;
  private readonly maxChildren: number;
  private readonly maxPatterns: number;
  private readonly maxLineLength: number;
  private readonly roots = new Map<number, TreeNode>();
  private readonly clusters: Cluster[] = [];
  private overflow: Cluster | null = null;
  private lines = 0;

  constructor(options: LogPatternMinerOptions = {}) {
    this.threshold = options.similarityThreshold ?? 0.5;
    this.prefixDepth = options.prefixDepth ?? 2;
    this.maxChildren = options.maxChildren ?? 100;
    this.maxPatterns = options.maxPatterns ?? 5000;
    this.maxLineLength = options.maxLineLength ?? 2000;
  }

  /** Lines added so far. */
  get size(): number {
    return this.lines;
  }

  /** Adds one line; returns the id of the pattern it joined (0: the overflow pattern). */
  add(line: MinedLine): number {
    this.lines++;
    const message =
      line.message.length > this.maxLineLength ? line.message.slice(0, this.maxLineLength) : line.message;
    const trimmed = premask(message).trim();
    const tokens = trimmed === '' ? [] : trimmed.split(WHITESPACE);
    const level = levelOf(line);
    const severity = level ? SEVERITY[level] : 0;
    const ms = timeOf(line.timestamp);

    const leaf = this.search(tokens);
    const match = leaf ? this.bestMatch(leaf.clusters, tokens) : null;
    if (match) {
      const t = match.tokens;
      for (let i = 0; i < t.length; i++) if (t[i] !== tokens[i] && t[i] !== WILDCARD) t[i] = WILDCARD;
      this.touch(match, line.timestamp, ms, severity);
      return match.id;
    }
    if (this.clusters.length >= this.maxPatterns) {
      this.overflow ??= this.newCluster(0, [WILDCARD], line, ms, 0);
      this.touch(this.overflow, line.timestamp, ms, severity);
      return 0;
    }
    const cluster = this.newCluster(this.clusters.length + 1, tokens, line, ms, severity);
    this.touch(cluster, line.timestamp, ms, severity);
    this.clusters.push(cluster);
    this.insert(tokens).clusters.push(cluster);
    return cluster.id;
  }

  /** All patterns: most severe level first, then most frequent, then earliest. */
  patterns(): LogPattern[] {
    const all = this.overflow ? [...this.clusters, this.overflow] : this.clusters;
    return all
      .slice()
      .sort((a, b) => b.severity - a.severity || b.count - a.count || a.firstMs - b.firstMs || a.id - b.id)
      .map((c) => ({
        id: c.id,
        template: c.id === 0 ? '<other>' : maskSecrets(c.tokens.join(' ')),
        count: c.count,
        firstSeen: c.firstSeen,
        lastSeen: c.lastSeen,
        level: levelFromSeverity(c.severity),
        sample: c.sample,
      }));
  }

  private newCluster(id: number, tokens: string[], line: MinedLine, ms: number, severity: number): Cluster {
    return {
      id,
      tokens: tokens.slice(),
      count: 0,
      firstSeen: line.timestamp,
      firstMs: ms,
      lastSeen: line.timestamp,
      lastMs: ms,
      severity,
      sample: maskSecrets(line.message.slice(0, 500)),
    };
  }

  private touch(c: Cluster, ts: string, ms: number, severity: number): void {
    c.count++;
    if (ms < c.firstMs) {
      c.firstMs = ms;
      c.firstSeen = ts;
    }
    if (ms >= c.lastMs) {
      c.lastMs = ms;
      c.lastSeen = ts;
    }
    if (severity > c.severity) c.severity = severity;
  }

  private keyOf(token: string): string {
    return HAS_DIGIT.test(token) ? WILDCARD : token;
  }

  /** Walks the tree for a line: exact token branch, else the `<*>` branch. */
  private search(tokens: string[]): TreeNode | null {
    let node = this.roots.get(tokens.length);
    const depth = Math.min(this.prefixDepth, tokens.length);
    for (let i = 0; node && i < depth; i++) {
      node = node.children.get(this.keyOf(tokens[i] as string)) ?? node.children.get(WILDCARD);
    }
    return node ?? null;
  }

  /** Walks the tree for a new template, creating branches (up to maxChildren per node, then `<*>`). */
  private insert(tokens: string[]): TreeNode {
    let node: TreeNode = this.roots.get(tokens.length) ?? newNode();
    this.roots.set(tokens.length, node);
    const depth = Math.min(this.prefixDepth, tokens.length);
    for (let i = 0; i < depth; i++) {
      let key = this.keyOf(tokens[i] as string);
      let child: TreeNode | undefined = node.children.get(key);
      if (!child) {
        if (node.children.size >= this.maxChildren - 1 && key !== WILDCARD) key = WILDCARD;
        child = node.children.get(key) ?? newNode();
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  }

  /** Drain's similarity: count of positions equal to a constant template token; ties go to more wildcards. */
  private bestMatch(candidates: Cluster[], tokens: string[]): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (const c of candidates) {
      const t = c.tokens;
      let sim = 0;
      let params = 0;
      for (let i = 0; i < t.length; i++) {
        const tok = t[i];
        if (tok === WILDCARD) params++;
        else if (tok === tokens[i]) sim++;
      }
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    if (!best) return null;
    // Similarity is measured over the template's constant tokens, so a template that has already
    // generalised (Drain's known weakness) still accepts its own lines; an all-wildcard one takes its leaf.
    return bestSim >= this.threshold * (tokens.length - bestParams) ? best : null;
  }
}

function levelFromSeverity(severity: number): LogLevel | null {
  for (const [name, rank] of Object.entries(SEVERITY) as Array<[LogLevel, number]>)
    if (rank === severity) return name;
  return null;
}
