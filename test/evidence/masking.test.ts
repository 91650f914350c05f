import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSensitiveKey, maskDeep, maskSecrets } from '../../src/domain/evidence/masking.js';

// Fake credentials, assembled at run time so secret scanners do not flag this file.
const j = (...parts: string[]): string => parts.join('');
const AWS_ID = j('AKIA', 'IOSFODNN7', 'EXAMPLE');
const AWS_STS_ID = j('ASIA', 'Y34FZKBOKM', 'UTVV7A');
const AWS_SECRET = j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY');
const GH = j('ghp_', 'R2d2C3po0Luke1Leia2Han3Solo4Chewie5');
const GH_PAT = j('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789');
const SLACK = j('xox', 'b-', '123456789012-1234567890123-', 'AbCdEfGhIjKlMnOpQrStUvWx');
const SLACK_USER = j('xox', 'p-', '2222222222-3333333333-4444444444-', 'abcdef0123456789');
const SLACK_HOOK = j('https://hooks.slack.com/services/', 'T0ABCDEF1/B0ABCDEF2/', 'xYzXyZxYzXyZxYzXyZxYzXyZ');
const GOOGLE = j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY');
const JWT = j(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUgRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const BEARER = j('mF_9.B5f-4.1JqM', 'tVzQ8a7Xk2pL0');
const BASIC = Buffer.from('svc-reporter:Tr0ub4dor&3').toString('base64');
const PEM = j(
  '-----BEGIN RSA ',
  'PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA ',
  'PRIVATE KEY-----',
);
const PEM_EC = j(
  '-----BEGIN EC ',
  'PRIVATE KEY-----\\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5TTVKQ1aTj\\n-----END EC ',
  'PRIVATE KEY-----',
);

/** [kind, secret, a realistic line that carries it]. */
const CORPUS: Array<[string, string, string]> = [
  [
    'bearer',
    BEARER,
    `2026-11-25T13:35:12Z DEBUG http request: GET /v1/orders Authorization: Bearer ${BEARER} status=200`,
  ],
  ['bearer', JWT, `upstream call headers={"Authorization": "Bearer ${JWT}", "X-Request-Id": "abc"}`],
  ['bearer', BEARER, `curl -H 'Accept: */*' -H 'Bearer ${BEARER}' https://api.example.com/v1/me`],
  ['jwt', JWT, `level=warn msg="token rejected" jwt=${JWT} reason=expired`],
  ['jwt', JWT, `Set-Cookie failed for session ${JWT}; retrying`],
  [
    'aws_access_key_id',
    AWS_ID,
    `botocore.credentials: Found credentials in environment variables: ${AWS_ID}`,
  ],
  ['aws_access_key_id', AWS_STS_ID, `assumed role, temporary key ${AWS_STS_ID} expires in 3600s`],
  [
    'aws_secret_access_key',
    AWS_SECRET,
    `loaded profile default aws_secret_access_key=${AWS_SECRET} region=eu-west-1`,
  ],
  [
    'aws_secret_access_key',
    AWS_SECRET,
    `config: {"AWS_SECRET_ACCESS_KEY": "${AWS_SECRET}", "region": "eu-west-1"}`,
  ],
  [
    'url_password',
    'S3cr3t!pw',
    'connecting to postgres://orders:S3cr3t!pw@db.internal:5432/orders?sslmode=require',
  ],
  [
    'url_password',
    'p@ss:word',
    'amqp://guest:p@ss:word@rabbitmq.messaging.svc:5672/ vhost=/ connection established',
  ],
  [
    'url_password',
    'redispass99',
    'redis client error: connect ECONNREFUSED redis://:redispass99@10.0.3.4:6379',
  ],
  [
    'private_key',
    'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
    `loaded key from secret:\n${PEM}\ndone`,
  ],
  [
    'private_key',
    'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5TTVKQ1aTj',
    `{"tls.key": "${PEM_EC}", "tls.crt": "..."}`,
  ],
  ['private_key', 'VTLw7onLRnrq0', `truncated log: ${PEM.slice(0, 160)}`],
  ['password', 'hunter2', 'db connect user=admin password=hunter2 host=db.internal'],
  ['password', 'Tr0ub4dor&3', 'LDAP bind dn=cn=svc,dc=corp passwd: Tr0ub4dor&3'],
  ['password', 'letmein', 'request body: {"username": "bob", "password": "letmein"}'],
  ['password', 'correct horse battery', `config loaded: password="correct horse battery" pool=5`],
  ['password', 'qwerty123', 'env DB_PASS=qwerty123 MYSQL_PWD=qwerty123 started'],
  ['password', 's3cr3t', String.raw`msg="payload" body="{\"password\":\"s3cr3t\",\"user\":\"x\"}"`],
  ['secret', 'c1ient-s3cret-v4lue', 'oauth: client_secret=c1ient-s3cret-v4lue grant_type=client_credentials'],
  ['secret', 'whsec_9f8e7d6c5b4a', 'stripe webhook secret: whsec_9f8e7d6c5b4a loaded'],
  ['token', 'abc123def456ghi789', 'GET /callback?code=xyz&access_token=abc123def456ghi789&state=1 302'],
  ['token', 'tok-7Hq2Lm9Zx', 'refresh_token: tok-7Hq2Lm9Zx issued for user 42'],
  ['api_key', 'k_live_51HxYz0123456789', 'payment client init api_key=k_live_51HxYz0123456789 timeout=30s'],
  ['api_key', 'abcdef0123456789abcdef', 'headers: {"x-api-key": "abcdef0123456789abcdef"}'],
  [
    'github_token',
    GH,
    `git clone https://x-access-token:${GH}@github.com/acme/deploy.git failed; token ${GH}`,
  ],
  ['github_token', GH_PAT, `GITHUB_TOKEN set to ${GH_PAT}`],
  ['slack_token', SLACK, `slack: posting to #incidents with ${SLACK} failed: ratelimited`],
  ['slack_token', SLACK_USER, `using user token ${SLACK_USER}`],
  ['slack_webhook', SLACK_HOOK, `notifier: POST ${SLACK_HOOK} returned 404`],
  ['google_api_key', GOOGLE, `maps geocode GET /maps/api/geocode/json?address=x&key=${GOOGLE} 403`],
  ['basic', BASIC, `proxy request headers: Proxy-Authorization: Basic ${BASIC} Host: internal`],
  ['basic', BASIC, `401 from upstream after sending Basic ${BASIC}`],
  ['cookie', 'sess=4f2a9c', 'request headers: Cookie: sess=4f2a9c; theme=dark'],
  [
    'authorization',
    'sk-0123456789abcdefABCDEF',
    'request authorization=sk-0123456789abcdefABCDEF path=/v1/chat',
  ],
];

const ORDINARY = [
  '2026-11-25T13:35:12.123Z INFO  [main] c.a.o.OrderService - Completed order 4711 in 35ms',
  'request 550e8400-e29b-41d4-a716-446655440000 finished with status 200',
  'GET https://api.example.com/v1/orders?id=5&page=2 200 12ms',
  'proxying to http://checkout.prod.svc.cluster.local:8080/healthz',
  'postgres://db.internal:5432/orders reachable',
  'Successfully assigned prod/checkout-7d9f8b6c5-x2x7q to ip-10-0-12-34.eu-west-1.compute.internal',
  'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 sampled=true',
  'invalid password for user bob from 10.0.0.8',
  'password reset email sent to user 42',
  'failed to refresh token: context deadline exceeded',
  'Authorization header missing; returning 401',
  'Bearer token missing or malformed',
  'Basic authentication required for realm "admin"',
  'tests passed=128 failed=0 bypass=true',
  'llm call max_tokens=512 prompt_tokens=230 token_count=3',
  'mounting secretName: db-credentials into /etc/creds (password_file=/etc/creds/pw)',
  'token: expired',
  'secret rotation scheduled, token_ttl=3600 token_type=Bearer',
  'git@github.com:acme/deploy.git fetched 3 objects',
  'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 pulled',
  'level=info msg="request completed" method=GET path=/api/v1/keys status=200',
  'Cache key product:123 evicted',
  'password=null token="" secret=*** api_key=<redacted>',
  'AIza short, xoxb alone, ghp_ nothing, AKIA too short',
  '',
];

describe('maskSecrets', () => {
  it.each(CORPUS)('masks %s in %s', (kind, secret, text) => {
    const out = maskSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${kind}]`);
  });

  it('keeps the text around a secret', () => {
    expect(maskSecrets('db connect user=admin password=hunter2 host=db.internal')).toBe(
      'db connect user=admin password=[REDACTED:password] host=db.internal',
    );
    expect(maskSecrets('connecting to postgres://orders:S3cr3t@db.internal:5432/orders now')).toBe(
      'connecting to postgres://orders:[REDACTED:url_password]@db.internal:5432/orders now',
    );
    expect(maskSecrets(`GET /v1 Authorization: Bearer ${BEARER} 200`)).toBe(
      'GET /v1 Authorization: Bearer [REDACTED:bearer] 200',
    );
    expect(maskSecrets('{"user": "bob", "password": "letmein", "n": 1}')).toBe(
      '{"user": "bob", "password": "[REDACTED:password]", "n": 1}',
    );
    expect(maskSecrets('bind passwd: Tr0ub4dor&3 ok')).toBe('bind passwd: [REDACTED:password] ok');
    expect(maskSecrets('cb?token=abc123def&state=9')).toBe('cb?token=[REDACTED:token]&state=9');
    expect(maskSecrets(`key id ${AWS_ID} used`)).toBe('key id [REDACTED:aws_access_key_id] used');
    expect(maskSecrets(`before\n${PEM}\nafter`)).toBe('before\n[REDACTED:private_key]\nafter');
  });

  it.each(ORDINARY.map((l) => [l]))('leaves ordinary text alone: %s', (text) => {
    expect(maskSecrets(text)).toBe(text);
  });

  it('masks generated tokens and pair values wherever they sit in a line', () => {
    const word = fc.stringMatching(/^[a-z0-9./:-]{0,12}$/);
    const gh = fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((t) => j('gh', 'p_', t));
    const value = fc
      .stringMatching(/^[A-Za-z0-9!@#%^*+/_.~-]{6,30}$/)
      .filter((v) => !/^(?:x+|\*+)$/i.test(v));
    fc.assert(
      fc.property(word, gh, value, word, (a, token, pw, b) => {
        const out = maskSecrets(`${a} sent ${token} then password=${pw} ${b}`);
        expect(out).not.toContain(token);
        expect(out).not.toContain(`password=${pw}`);
        expect(out.startsWith(`${a} sent `)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('finishes on hostile input', { timeout: 20_000 }, () => {
    const hostile = [
      'password'.repeat(25_000),
      'x_token_'.repeat(25_000),
      'Bearer '.repeat(30_000),
      '\\"'.repeat(100_000),
    ];
    // A quadratic pattern would run for minutes here and trip the test timeout.
    for (const text of hostile) expect(typeof maskSecrets(text)).toBe('string');
  });

  it('is idempotent', () => {
    for (const [, , text] of CORPUS) {
      const once = maskSecrets(text);
      expect(maskSecrets(once)).toBe(once);
    }
  });
});

describe('maskDeep', () => {
  it('masks every string in nested objects and arrays, and values under sensitive keys whole', () => {
    const input = {
      pod: 'checkout-7d9f8b6c5-x2x7q',
      restarts: 3,
      ready: false,
      nothing: null,
      logs: [`Authorization: Bearer ${BEARER}`, 'ordinary line', { nested: [`token ${GH}`] }],
      env: { DB_PASSWORD: 'hunter2', apiKey: 'plainvalue', LOG_LEVEL: 'debug', token_ttl: '3600' },
      headers: new Map([
        ['authorization', 'Bearer short'],
        ['accept', 'application/json'],
      ]),
      at: new Date('2026-11-25T13:35:12Z'),
    };
    const out = maskDeep(input);
    expect(out).toEqual({
      pod: 'checkout-7d9f8b6c5-x2x7q',
      restarts: 3,
      ready: false,
      nothing: null,
      logs: [
        'Authorization: Bearer [REDACTED:bearer]',
        'ordinary line',
        { nested: ['token [REDACTED:github_token]'] },
      ],
      env: {
        DB_PASSWORD: '[REDACTED:password]',
        apiKey: '[REDACTED:api_key]',
        LOG_LEVEL: 'debug',
        token_ttl: '3600',
      },
      headers: new Map([
        ['authorization', '[REDACTED:authorization]'],
        ['accept', 'application/json'],
      ]),
      at: new Date('2026-11-25T13:35:12Z'),
    });
    const serialised = JSON.stringify({ ...out, headers: [...out.headers] });
    for (const secret of [BEARER, GH, 'hunter2', 'plainvalue', 'Bearer short'])
      expect(serialised).not.toContain(secret);
  });

  it('masks the whole corpus inside a structure', () => {
    const out = maskDeep({ lines: CORPUS.map(([, , text]) => ({ text })) });
    const serialised = JSON.stringify(out);
    for (const [, secret] of CORPUS) expect(serialised).not.toContain(secret);
  });

  it('does not mutate its input and survives cycles', () => {
    const input: { password: string; self?: unknown; list: string[] } = { password: 'hunter2', list: ['ok'] };
    input.self = input;
    const out = maskDeep(input);
    expect(input.password).toBe('hunter2');
    expect(out.password).toBe('[REDACTED:password]');
    expect(out.self).toBe(out);
    expect(out.list).not.toBe(input.list);
  });

  it('passes primitives through', () => {
    expect(maskDeep(42)).toBe(42);
    expect(maskDeep(undefined)).toBeUndefined();
    expect(maskDeep(`password=${'x1y2'}`)).toBe('password=[REDACTED:password]');
  });
});

describe('isSensitiveKey', () => {
  it('knows credential names from metadata names', () => {
    const yes = [
      'password',
      'DB_PASSWORD',
      'db_pass',
      'clientSecret',
      'access_token',
      'x-api-key',
      'Authorization',
      'cookie',
    ];
    const no = [
      'passed',
      'bypass',
      'secretName',
      'token_ttl',
      'max_tokens',
      'password_file',
      'keyspace',
      'namespace',
    ];
    expect(yes.filter((k) => !isSensitiveKey(k))).toEqual([]);
    expect(no.filter(isSensitiveKey)).toEqual([]);
  });
});
