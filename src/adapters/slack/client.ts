import { ErrorCode, LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from '../../observability/logger.js';
import type { Card } from './card.js';

export interface SlackClientOptions {
  botToken: string;
  /** Points the client at a stand-in for tests; Slack's own URL otherwise. */
  apiUrl?: string;
  /** One HTTP attempt's deadline. */
  timeoutMs?: number;
  /** 5xx and network errors: retries inside one call, with exponential backoff from `minBackoffMs`. */
  retries?: number;
  minBackoffMs?: number;
  logger: Logger;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

/** Slack asked to wait: the queue reschedules the job after `retryAfterMs` instead of blocking a worker. */
export class SlackRateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`Slack rate-limited the call; retry after ${retryAfterMs} ms`);
  }
}

/** Slack answered ok:false with an error no retry will fix (invalid_auth, channel_not_found, ...). */
export class SlackRefused extends Error {
  constructor(readonly slackError: string) {
    super(`Slack refused the call: ${slackError}`);
  }
}

const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

function slackLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack' });
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...message) => log.warn(message.map(String).join(' ')),
    error: (...message) => log.error(message.map(String).join(' ')),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * WebClient's defaults retry for about 30 minutes and wait out every 429 inside the call. Approval
 * paths must not hang, so each call is bounded (timeout × (retries + 1) plus backoff, ~35 s by
 * default) and a 429 is rejected at once with its Retry-After, which the queue then honours.
 */
export function createWebClient(options: SlackClientOptions): WebClient {
  const minTimeout = options.minBackoffMs ?? 1000;
  return new WebClient(options.botToken, {
    ...(options.apiUrl
      ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` }
      : {}),
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: {
      retries: options.retries ?? 2,
      factor: 2,
      minTimeout,
      maxTimeout: minTimeout * 8,
      randomize: true,
    },
    rejectRateLimitedCalls: true,
    logger: slackLogger(options.logger),
  });
}

/** Maps the client's errors onto what the queue needs to know: wait, give up, or back off. */
export function classify(error: unknown): Error {
  const coded = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (coded.code === ErrorCode.RateLimitedError) return new SlackRateLimited((coded.retryAfter ?? 1) * 1000);
  if (coded.code === ErrorCode.PlatformError) {
    const slackError = coded.data?.error ?? 'unknown';
    if (!TRANSIENT_PLATFORM_ERRORS.has(slackError)) return new SlackRefused(slackError);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The four calls the approval loop makes. */
export class SlackApi {
  constructor(
    private readonly client: WebClient,
    readonly channel: string,
  ) {}

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw classify(error);
    }
  }

  async post(card: Card): Promise<MessageRef> {
    const answer = await this.call(() =>
      this.client.chat.postMessage({ channel: this.channel, text: card.text, blocks: card.blocks as never }),
    );
    if (!answer.ts || !answer.channel) throw new SlackRefused('postMessage answered without channel/ts');
    return { channel: answer.channel, ts: answer.ts };
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    await this.call(() =>
      this.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: card.text,
        blocks: card.blocks as never,
      }),
    );
  }

  async reply(ref: MessageRef, text: string): Promise<void> {
    await this.call(() => this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text }));
  }

  async ephemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await this.call(() =>
      this.client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }),
    );
  }

  /** The Slack user groups (of `candidates`) the user belongs to; needs the usergroups:read scope. */
  async groupsOf(user: string, candidates: readonly string[]): Promise<string[]> {
    const member: string[] = [];
    for (const usergroup of candidates) {
      const answer = await this.call(() => this.client.usergroups.users.list({ usergroup }));
      if (answer.users?.includes(user)) member.push(usergroup);
    }
    return member;
  }
}
