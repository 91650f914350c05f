/**
 * Secret masking for untrusted text (logs, events, tool output) before it is stored, shown or sent to an LLM.
 * Pure: regular expressions only. Each secret is replaced with `[REDACTED:<kind>]`; surrounding text is kept.
 * Over-masking a credential-shaped value is preferred to leaking one, but ordinary log text (timestamps,
 * request UUIDs, URLs without credentials, pod names) must come through unchanged.
 */

export type SecretKind =
  | 'private_key'
  | 'url_password'
  | 'bearer'
  | 'basic'
  | 'authorization'
  | 'cookie'
  | 'jwt'
  | 'aws_access_key_id'
  | 'aws_secret_access_key'
  | 'github_token'
  | 'slack_token'
  | 'slack_webhook'
  | 'google_api_key'
  | 'password'
  | 'secret'
  | 'token'
  | 'api_key'
  | 'credential';

const redacted = (kind: SecretKind): string => `[REDACTED:${kind}]`;

/** Values that are clearly not secrets (absent, booleans, already masked). */
const PLACEHOLDER =
  /^(?:|null|nil|none|undefined|true|false|\*+|x+|<[^>]*>|\[REDACTED[^\]]*\]?|\$\{[^}]*\}?)$/i;

/** Looks machine-generated rather than a word: long enough, with a digit, `+/=` or an inner capital. */
function looksRandom(value: string, minLength: number): boolean {
  return value.length >= minLength && (/[\d+/=]/.test(value) || /[a-z][A-Z]/.test(value));
}

/** Sensitive key names (`password`, `db_password`, `clientSecret`, `access_token`, `x-api-key`, ...). */
const KEY_WORD =
  '(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)';
/**
 * A whole key: contains a key word, or ends in a `pass` segment (`DB_PASS`), never `bypass` or `passed`.
 * Bounded so that a long token without separators costs linear time.
 */
const KEY = String.raw`(?<![\w.-])(?:[\w.-]{0,40}${KEY_WORD}[\w.-]{0,40}|(?:[\w.-]{0,40}[_.-])?pass)(?![\w.-])`;
const SENSITIVE_KEY = new RegExp(`^${KEY}$|^(?:proxy-)?authorization$|^(?:set-)?cookie$`, 'i');
/** Keys that name a sensitive thing but hold harmless metadata (counts, expiry, type, ...). */
const HARMLESS_KEY =
  /(?:count|counts|len|length|size|limit|max|min|ttl|type|kind|expiry|expires?(?:_?in|_?at)?|age|file|path|ref|name|policy|id|ids|used|total|tokens)$/i;
const STRONG_KEY = /pass|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|credential/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !HARMLESS_KEY.test(key);
}

function kindForKey(key: string): SecretKind {
  const k = key.toLowerCase();
  if (/pass|pwd/.test(k)) return 'password';
  if (/api[_-]?key/.test(k)) return 'api_key';
  if (/secret/.test(k)) return 'secret';
  if (/token/.test(k)) return 'token';
  if (/authorization/.test(k)) return 'authorization';
  if (/cookie/.test(k)) return 'cookie';
  return 'credential';
}

type Rule = { re: RegExp; replace: string | ((match: string, ...groups: string[]) => string) };

const RULES: Rule[] = [
  // PEM private keys; a block cut off by a line limit is masked to the end of the text.
  {
    re: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: redacted('private_key'),
  },
  // scheme://user:password@host — keep the user, mask the password.
  {
    re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:/@"'<>]*):([^\s/"'<>]+)@/gi,
    replace: (_m, scheme, user) => `${scheme}${user}:${redacted('url_password')}@`,
  },
  // Authorization / Proxy-Authorization headers, any scheme, as header, JSON or key=value.
  {
    re: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest|negotiate|apikey)\s+)?([^\s"',;]+)/gi,
    replace: (m, head, scheme, value) => {
      if (PLACEHOLDER.test(value)) return m;
      const s = (scheme ?? '').toLowerCase();
      const kind: SecretKind = s === 'bearer' ? 'bearer' : s === 'basic' ? 'basic' : 'authorization';
      return `${head}${scheme ? `${scheme} ` : ''}${redacted(kind)}`;
    },
  },
  // Cookie / Set-Cookie headers carry session credentials: the whole value goes.
  {
    re: /\b((?:set-)?cookie["']?\s*:\s*["']?)([^\r\n"']+)/gi,
    replace: (_m, head) => `${head}${redacted('cookie')}`,
  },
  // Stand-alone "Bearer <token>" / "Basic <base64>" (curl -H dumps, error messages).
  {
    re: /\b(Bearer|Basic)\s+([A-Za-z0-9\-._~+/]+=*)/g,
    replace: (m, scheme, value) =>
      looksRandom(value, scheme === 'Bearer' ? 16 : 12)
        ? `${scheme} ${redacted(scheme === 'Bearer' ? 'bearer' : 'basic')}`
        : m,
  },
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replace: redacted('jwt') },
  {
    re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    replace: redacted('aws_access_key_id'),
  },
  {
    re: /\b(aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{30,})/gi,
    replace: (_m, head) => `${head}${redacted('aws_secret_access_key')}`,
  },
  {
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
    replace: redacted('github_token'),
  },
  { re: /\bxox[abprse]-[A-Za-z0-9-]{10,}/g, replace: redacted('slack_token') },
  {
    re: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g,
    replace: redacted('slack_webhook'),
  },
  { re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, replace: redacted('google_api_key') },
  // key=value, key: value, "key": "value", key="with spaces", {\"key\":\"value\"} for sensitive keys.
  {
    re: new RegExp(
      String.raw`(\\?["']?)(${KEY})\1(\s*)([:=])(\s*)(\\"(?:[^"\\]|\\(?!"))*\\"|"(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s,;&"'}\]\)\\]|&(?![\w.-]+=))+)`,
      'gi',
    ),
    replace: (m, q, key, s1, sep, s2, value) => {
      if (HARMLESS_KEY.test(key)) return m;
      const quote = value.startsWith('\\"') ? '\\"' : value[0] === '"' || value[0] === "'" ? value[0] : '';
      const inner = quote ? value.slice(quote.length, -quote.length) : value;
      if (PLACEHOLDER.test(inner)) return m;
      // "failed to refresh token: context deadline exceeded" is prose, not a pair: for weak key words
      // after a bare colon, only mask values that look generated.
      if (sep === ':' && !quote && !q && !STRONG_KEY.test(key) && !looksRandom(inner, 8)) return m;
      return `${q}${key}${q}${s1}${sep}${s2}${quote}${redacted(kindForKey(key))}${quote}`;
    },
  },
];

/** Cheap pre-filter: text with none of these substrings cannot match any rule. */
const TRIGGER =
  /PRIVATE KEY|:\/\/|authorization|cookie|bearer|basic|eyJ|A[KSGIRBNC][A-Z]A|gh[pousr]_|github_pat_|xox|AIza|pass|pwd|secret|token|key|credential/i;

/** Masks every recognised secret in `text`. */
export function maskSecrets(text: string): string {
  if (!TRIGGER.test(text)) return text;
  let out = text;
  for (const rule of RULES) {
    const { re, replace } = rule;
    out = typeof replace === 'string' ? out.replace(re, replace) : out.replace(re, replace);
  }
  return out;
}

/**
 * Returns a copy of `value` with every string masked. Strings under sensitive keys (`password`,
 * `authorization`, `apiKey`, ...) are masked whole. Arrays, plain objects and Maps are copied; cycles are kept.
 */
export function maskDeep<T>(value: T): T {
  return walk(value, new WeakMap()) as T;
}

function maskUnderKey(key: string, value: string): string {
  if (!isSensitiveKey(key) || PLACEHOLDER.test(value)) return maskSecrets(value);
  const masked = maskSecrets(value);
  return masked.startsWith('[REDACTED') || /^(?:Bearer|Basic) \[REDACTED/.test(masked)
    ? masked
    : redacted(kindForKey(key));
}

function walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(walk(item, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) {
      out.set(k, typeof k === 'string' && typeof v === 'string' ? maskUnderKey(k, v) : walk(v, seen));
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, Buffer, class instances: as they are
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === 'string' ? maskUnderKey(k, v) : walk(v, seen);
  }
  return out;
}
