import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking OpenAI's Chat Completions wire format (non-streaming), answering from a
 * scripted queue. A scripted answer is what "the model says": sent as a forced tool call when the
 * request has `tool_choice` (functionCalling), else as message content (jsonMode / jsonSchema).
 */

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: ChatRequest;
  /** The raw request body, as the client sent it. */
  text: string;
}

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string | null }>;
  tools?: Array<{ type: string; function: { name: string; parameters: unknown } }>;
  tool_choice?: { type: string; function: { name: string } } | string;
  response_format?: { type: string };
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type Scripted =
  /** The model's answer: an object is sent as JSON, a string as is (garbage included). */
  | { kind: 'answer'; answer: unknown; usage?: Usage; delayMs?: number }
  | { kind: 'error'; status: number; message: string; headers?: Record<string, string>; delayMs?: number };

export const answer = (value: unknown, usage?: Usage, delayMs?: number): Scripted => ({
  kind: 'answer',
  answer: value,
  ...(usage ? { usage } : {}),
  ...(delayMs !== undefined ? { delayMs } : {}),
});

export const failure = (status: number, message: string, headers?: Record<string, string>): Scripted => ({
  kind: 'error',
  status,
  message,
  ...(headers ? { headers } : {}),
});

export interface OpenAiTestServer {
  /** Up to and including /v1. */
  baseURL: string;
  requests: ReceivedRequest[];
  /** Appends answers for the next requests, in order. */
  script(...items: Scripted[]): void;
  /** Scripted answers not yet used. */
  pending(): number;
  reset(): void;
  close(): Promise<void>;
}

function completion(request: ChatRequest, item: Extract<Scripted, { kind: 'answer' }>, n: number): unknown {
  const text = typeof item.answer === 'string' ? item.answer : JSON.stringify(item.answer);
  const usage = item.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
  const choice = typeof request.tool_choice === 'object' ? request.tool_choice : null;
  const message = choice
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: `call_${n}`, type: 'function', function: { name: choice.function.name, arguments: text } },
        ],
      }
    : { role: 'assistant', content: text };
  return {
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: choice ? 'tool_calls' : 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export async function startOpenAiServer(): Promise<OpenAiTestServer> {
  const queue: Scripted[] = [];
  const requests: ReceivedRequest[] = [];
  let served = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const body = JSON.parse(text) as ChatRequest;
      requests.push({ path: req.url, headers: req.headers, body, text });
      served += 1;
      const item = queue.shift() ?? failure(500, 'the test scripted no answer for this request');
      const send = (): void => {
        if (res.destroyed) return;
        if (item.kind === 'error') {
          res.writeHead(item.status, { 'content-type': 'application/json', ...item.headers });
          res.end(JSON.stringify({ error: { message: item.message, type: 'server_error', code: null } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion(body, item, served)));
      };
      if (item.delayMs) {
        const timer = setTimeout(send, item.delayMs);
        res.on('close', () => clearTimeout(timer));
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...items) => queue.push(...items),
    pending: () => queue.length,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
