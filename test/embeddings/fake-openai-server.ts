import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashingEmbedder } from '../../src/domain/memory/hashing-embedder.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: { model?: unknown; input?: unknown; encoding_format?: unknown; dimensions?: unknown };
}

export interface FakeOpenAiServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Answer the next `n` requests with 429. */
  rateLimitNext(n: number): void;
  /** The vector the server returns for a text. */
  vectorOf(text: string): number[];
  close(): Promise<void>;
}

/** A tiny OpenAI-compatible `/v1/embeddings` server whose vectors are hashing embeddings of the text. */
export async function startFakeOpenAi(dimension = 16): Promise<FakeOpenAiServer> {
  const hashing = new HashingEmbedder({ dimension });
  const requests: RecordedRequest[] = [];
  let limited = 0;
  const vectorOf = (text: string) => Array.from(hashing.embedOne(text));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RecordedRequest['body'];
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (limited > 0) {
        limited -= 1;
        send(
          429,
          { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
          { 'retry-after': '0' },
        );
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        send(404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      const texts = typeof body.input === 'string' ? [body.input] : body.input;
      if (!Array.isArray(texts) || !texts.every((t): t is string => typeof t === 'string')) {
        send(400, { error: { message: 'input must be a string or an array of strings' } });
        return;
      }
      const data = texts.map((text, index) => {
        const vector = vectorOf(text);
        const embedding =
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector;
        return { object: 'embedding', index, embedding };
      });
      const tokens = texts.reduce((sum, t) => sum + t.split(/\s+/).length, 0);
      send(200, {
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    rateLimitNext: (n) => {
      limited = n;
    },
    vectorOf,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
