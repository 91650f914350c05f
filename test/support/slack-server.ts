import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

type Scripted = { status: number; retryAfter?: number; body?: unknown };

/** Keys whose form values WebClient sends JSON-encoded. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(text || '{}');
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text))
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  return args;
}

/**
 * A stand-in for Slack's Web API (`WebClient({slackApiUrl})`): answers `chat.*` like Slack does,
 * records every call that got an answer of 200, and can be scripted to answer 429 with Retry-After,
 * 5xx, or to be down altogether.
 */
export class SlackApiServer {
  readonly calls: SlackCall[] = [];
  /** Every attempt, including the ones answered with an error. */
  readonly attempts: Array<{ method: string; status: number; at: number }> = [];
  private readonly script = new Map<string, Scripted[]>();
  private down = false;
  private seq = 0;
  groups: Record<string, string[]> = {};

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SlackApiServer> {
    let self: SlackApiServer | null = null;
    const server = createServer((request, response) => {
      void self?.handle(request).then(({ status, headers, body }) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      });
    });
    self = new SlackApiServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}/api/`;
  }

  /** The next `times` calls of `method` get this answer instead of a success. */
  failNext(method: string, answer: Scripted, times = 1): void {
    const queue = this.script.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(answer);
    this.script.set(method, queue);
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  called(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private async handle(
    request: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = await readBody(request);
    const at = Date.now();
    if (this.down) {
      this.attempts.push({ method, status: 503, at });
      return { status: 503, headers: {}, body: { ok: false, error: 'service_unavailable' } };
    }
    const scripted = this.script.get(method)?.shift();
    if (scripted) {
      this.attempts.push({ method, status: scripted.status, at });
      const headers: Record<string, string> =
        scripted.retryAfter !== undefined ? { 'retry-after': String(scripted.retryAfter) } : {};
      return { status: scripted.status, headers, body: scripted.body ?? { ok: false, error: 'scripted' } };
    }
    this.attempts.push({ method, status: 200, at });
    this.calls.push({ method, args, at });
    const channel = String(args['channel'] ?? 'C0');
    switch (method) {
      case 'chat.postMessage': {
        this.seq += 1;
        const ts = `1764000000.${String(this.seq).padStart(6, '0')}`;
        return { status: 200, headers: {}, body: { ok: true, channel, ts, message: { ...args, ts } } };
      }
      case 'chat.update':
        return { status: 200, headers: {}, body: { ok: true, channel, ts: args['ts'], text: args['text'] } };
      case 'chat.postEphemeral':
        return { status: 200, headers: {}, body: { ok: true, message_ts: `${Date.now() / 1000}` } };
      case 'usergroups.users.list':
        return {
          status: 200,
          headers: {},
          body: { ok: true, users: this.groups[String(args['usergroup'])] ?? [] },
        };
      default:
        return { status: 200, headers: {}, body: { ok: false, error: 'unknown_method' } };
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
