import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogSource } from '../../src/ports/log-source.js';

/** Every LogSource adapter must pass this suite, given a backend holding `contractDocs`. */
export const contractNow = new Date('2026-11-25T12:00:00.000Z');
const at = (secondsAgo: number) => new Date(contractNow.getTime() - secondsAgo * 1000).toISOString();
const start = new Date(contractNow.getTime() - 3600_000);

/** ECS documents as Filebeat/Elastic Agent write them, some nested, some with dotted keys. */
export const contractDocs: Array<Record<string, unknown>> = [
  {
    '@timestamp': at(60),
    message: 'payment failed: upstream 503',
    log: { level: 'ERROR' },
    kubernetes: { namespace: 'shop', pod: { name: 'checkout-7d9f8-abcde' }, container: { name: 'app' } },
    service: { name: 'checkout' },
  },
  {
    '@timestamp': at(120),
    message: 'request ok',
    'log.level': 'info',
    'kubernetes.namespace': 'shop',
    'kubernetes.pod.name': 'checkout-7d9f8-abcde',
    'kubernetes.container.name': 'app',
    'service.name': 'checkout',
  },
  {
    '@timestamp': at(180),
    message: 'panic: assignment to entry in nil map',
    log: { level: 'Fatal' },
    kubernetes: { namespace: 'shop', 'pod.name': 'checkout-7d9f8-xyz12', container: { name: 'app' } },
    service: { name: 'checkout' },
  },
  {
    '@timestamp': at(240),
    message: 'upstream reset before headers',
    log: { level: 'warn' },
    kubernetes: {
      namespace: 'shop',
      pod: { name: 'checkout-7d9f8-abcde' },
      container: { name: 'istio-proxy' },
    },
  },
  {
    '@timestamp': at(300),
    message: 'db timeout after 5s',
    log: { level: 'Error' },
    kubernetes: { namespace: 'shop', pod: { name: 'payments-5c6d-qwert' }, container: { name: 'app' } },
    service: { name: 'payments' },
  },
  {
    '@timestamp': at(30),
    message: 'tick',
    log: { level: 'debug' },
    kubernetes: { namespace: 'shop', pod: { name: 'checkout-7d9f8-abcde' }, container: { name: 'app' } },
    service: { name: 'checkout' },
  },
  {
    '@timestamp': at(7200),
    message: 'too old',
    log: { level: 'error' },
    kubernetes: { namespace: 'shop', pod: { name: 'checkout-7d9f8-abcde' }, container: { name: 'app' } },
  },
  {
    '@timestamp': at(60),
    message: 'other namespace',
    log: { level: 'error' },
    kubernetes: { namespace: 'staging', pod: { name: 'checkout-1111-aaaaa' }, container: { name: 'app' } },
  },
];

export interface LogSourceFixture {
  source: LogSource;
  close(): Promise<void>;
}

export function logSourceContract(
  name: string,
  setup: (docs: typeof contractDocs) => Promise<LogSourceFixture>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(`LogSource contract: ${name}`, () => {
    let fixture: LogSourceFixture;
    const base = { namespace: 'shop', start, end: contractNow };
    beforeAll(async () => {
      fixture = await setup(contractDocs);
    });
    afterAll(async () => {
      await fixture?.close();
    });

    it('counts every match in the window and lists error lines first, each part newest first', async () => {
      const result = await fixture.source.search({ ...base, podPrefix: 'checkout-', limit: 10 });
      expect(result.total).toBe(5);
      expect(result.lines.map((line) => line.message)).toEqual([
        'payment failed: upstream 503',
        'panic: assignment to entry in nil map',
        'tick',
        'request ok',
        'upstream reset before headers',
      ]);
    });

    it('fills a small limit with error lines before any other', async () => {
      const two = await fixture.source.search({ ...base, podPrefix: 'checkout-', limit: 2 });
      expect(two.total).toBe(5);
      expect(two.lines.map((line) => line.level)).toEqual(['error', 'fatal']);
      const three = await fixture.source.search({ ...base, podPrefix: 'checkout-', limit: 3 });
      expect(three.lines.map((line) => line.message)[2]).toBe('tick');
      const none = await fixture.source.search({ ...base, podPrefix: 'checkout-', limit: 0 });
      expect(none).toEqual({ total: 5, lines: [] });
    });

    it('filters by exact pods, container and level (case-insensitively)', async () => {
      const pod = await fixture.source.search({ ...base, pods: ['checkout-7d9f8-xyz12'], limit: 10 });
      expect(pod.total).toBe(1);
      expect(pod.lines[0]?.pod).toBe('checkout-7d9f8-xyz12');
      const container = await fixture.source.search({
        ...base,
        podPrefix: 'checkout-',
        container: 'app',
        limit: 10,
      });
      expect(container.total).toBe(4);
      expect(container.lines.every((line) => line.container === 'app')).toBe(true);
      const errors = await fixture.source.search({ ...base, levels: ['error', 'fatal'], limit: 10 });
      expect(errors.total).toBe(3);
      expect(new Set(errors.lines.map((line) => line.level))).toEqual(new Set(['error', 'fatal']));
      const warn = await fixture.source.search({ ...base, levels: ['warn'], limit: 10 });
      expect(warn.lines.map((line) => line.container)).toEqual(['istio-proxy']);
    });

    it('reads nested and dotted source fields into LogLine', async () => {
      const result = await fixture.source.search({ ...base, pods: ['checkout-7d9f8-abcde'], limit: 10 });
      expect(result.lines[0]).toEqual({
        timestamp: at(60),
        message: 'payment failed: upstream 503',
        level: 'error',
        namespace: 'shop',
        pod: 'checkout-7d9f8-abcde',
        container: 'app',
        service: 'checkout',
      });
      expect(result.lines.find((line) => line.message === 'request ok')).toMatchObject({
        level: 'info',
        namespace: 'shop',
        service: 'checkout',
      });
      expect(result.lines.find((line) => line.container === 'istio-proxy')?.service).toBeNull();
    });

    it('returns nothing for an unknown namespace or an empty window', async () => {
      expect(await fixture.source.search({ ...base, namespace: 'nowhere', limit: 10 })).toEqual({
        total: 0,
        lines: [],
      });
      const early = new Date(start.getTime() - 24 * 3600_000);
      const empty = await fixture.source.search({
        ...base,
        start: early,
        end: new Date(early.getTime() + 1000),
        limit: 5,
      });
      expect(empty.total).toBe(0);
    });
  });
}
