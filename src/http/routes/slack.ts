import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { type ChannelClick, cardActionIds } from '../../ports/approval-channel.js';
import { parseOrThrow } from '../parse.js';

export interface SlackRouteDeps {
  /** Checks Slack's request signature over the raw body and the timestamp window. */
  verify: (request: {
    rawBody: string;
    signature: string | undefined;
    timestamp: string | undefined;
  }) => boolean;
  /** Queues the click; the decision is taken after Slack has its answer. */
  accept: (click: ChannelClick) => Promise<void>;
}

const actionByid = new Map(
  Object.entries(cardActionIds).map(([action, id]) => [id, action as ChannelClick['action']]),
);

const payloadSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1).max(64), username: z.string().max(128).optional() }),
  actions: z
    .array(
      z.object({
        action_id: z.string().refine((id) => actionByid.has(id), 'unknown action'),
        value: z.string().max(2000),
      }),
    )
    .min(1),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
});

const valueSchema = z.object({ incidentId: z.string().min(1).max(128), planId: z.string().min(1).max(256) });

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function jsonField(text: string | null, field: string): unknown {
  if (text === null) throw new MedicError(ErrorCodes.badRequest, `${field}: required`, { field });
  try {
    return JSON.parse(text);
  } catch {
    throw new MedicError(ErrorCodes.badRequest, `${field}: not JSON`, { field });
  }
}

/**
 * `POST /v1/slack/interactions`: Slack's button clicks. The signature covers the raw body, so this
 * scope keeps the form body as a string and parses it only after verification.
 */
export function slackRoutes(app: FastifyInstance, deps: SlackRouteDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );
    scope.post('/v1/slack/interactions', async (request, reply) => {
      const rawBody = typeof request.body === 'string' ? request.body : '';
      const verified = deps.verify({
        rawBody,
        signature: header(request.headers['x-slack-signature']),
        timestamp: header(request.headers['x-slack-request-timestamp']),
      });
      if (!verified) {
        throw new MedicError(
          ErrorCodes.unauthorized,
          'x-slack-signature: missing, wrong, or its x-slack-request-timestamp is outside the 5-minute window',
          { field: 'x-slack-signature' },
        );
      }
      const form = new URLSearchParams(rawBody);
      const payload = parseOrThrow(payloadSchema, jsonField(form.get('payload'), 'payload'), 'payload');
      const [action] = payload.actions;
      if (!action)
        throw new MedicError(ErrorCodes.badRequest, 'payload.actions: empty', { field: 'payload.actions' });
      const value = parseOrThrow(
        valueSchema,
        jsonField(action.value, 'payload.actions[0].value'),
        'payload.actions[0].value',
      );
      await deps.accept({
        action: actionByid.get(action.action_id) ?? 'escalate',
        incidentId: value.incidentId,
        planId: value.planId,
        user: { id: payload.user.id, username: payload.user.username ?? payload.user.id },
        channel: payload.channel?.id ?? payload.container?.channel_id ?? null,
        messageTs: payload.container?.message_ts ?? payload.message?.ts ?? null,
      });
      return reply.code(200).send();
    });
  });
}
