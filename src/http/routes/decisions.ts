import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { DecisionOutcome, DecisionRequest } from '../../pipeline/approve.js';
import type { PauseState } from '../../pipeline/kill-switch.js';
import { requireBearer } from '../auth.js';
import { parseOrThrow } from '../parse.js';

export interface DecisionRouteDeps {
  token: string | undefined;
  /** The person a bearer token belongs to, when approver tokens are configured; undefined when they are not. */
  identify: (authorization: string | undefined) => string | null | undefined;
  decide: (incidentId: string, request: DecisionRequest) => Promise<DecisionOutcome>;
  pauseState: () => Promise<PauseState>;
  setPaused: (change: { paused: boolean; by: string; reason: string | null }) => Promise<void>;
}

const decisionBody = z.strictObject({
  by: z.string().trim().min(1).max(128).optional(),
  reason: z.string().max(2000).optional(),
});

const idParams = z.object({ id: z.string().min(1).max(128) });

const statusCode: Record<DecisionOutcome['status'], number> = {
  approved: 200,
  rejected: 200,
  waiting: 202,
  duplicate: 200,
  refused: 403,
};

/** Who is deciding: the name mapped to the caller's token, or else the body's `by`. */
function personOf(
  request: FastifyRequest,
  body: { by?: string | undefined },
  deps: DecisionRouteDeps,
): string {
  const mapped = deps.identify(request.headers.authorization);
  if (mapped === null) {
    throw new MedicError(ErrorCodes.unauthorized, 'this token is not mapped to an approver', {
      field: 'authorization',
    });
  }
  if (mapped !== undefined) {
    if (body.by !== undefined && body.by !== mapped) {
      throw new MedicError(ErrorCodes.badRequest, `body.by: the token belongs to ${mapped}, not ${body.by}`, {
        field: 'body.by',
      });
    }
    return mapped;
  }
  if (body.by === undefined) {
    throw new MedicError(ErrorCodes.badRequest, 'body.by: required (who decides)', { field: 'body.by' });
  }
  return body.by;
}

export function decisionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  const authorise = requireBearer(deps.token, 'approvals');

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/v1/incidents/:id/${decision}`, { onRequest: authorise }, async (request, reply) => {
      const { id } = parseOrThrow(idParams, request.params, 'params');
      const body = parseOrThrow(decisionBody, request.body ?? {}, 'body');
      const outcome = await deps.decide(id, {
        decision,
        by: personOf(request, body, deps),
        via: 'http',
        reason: body.reason ?? null,
      });
      return reply.code(statusCode[outcome.status]).send(outcome);
    });
  }

  app.get('/v1/pause', { onRequest: authorise }, async (request) => {
    // With approver tokens configured they replace the API token here too: an unknown one reads nothing.
    if (deps.identify(request.headers.authorization) === null) {
      throw new MedicError(ErrorCodes.unauthorized, 'this token is not mapped to an approver', {
        field: 'authorization',
      });
    }
    return deps.pauseState();
  });

  for (const [path, paused] of [
    ['/v1/pause', true],
    ['/v1/resume', false],
  ] as const) {
    app.post(path, { onRequest: authorise }, async (request) => {
      const body = parseOrThrow(decisionBody, request.body ?? {}, 'body');
      await deps.setPaused({ paused, by: personOf(request, body, deps), reason: body.reason ?? null });
      return deps.pauseState();
    });
  }
}
