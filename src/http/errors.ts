import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ErrorCodes, isMedicError } from '../domain/errors.js';

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    field?: string;
    problems?: Array<{ field: string; problem: string }>;
  };
}

export function errorBody(
  code: ErrorCode,
  message: string,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
): ErrorBody {
  return { error: { code, message, ...extra } };
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.badRequest]: 400,
  [ErrorCodes.unauthorized]: 401,
  [ErrorCodes.notFound]: 404,
  [ErrorCodes.approvalRefused]: 403,
  [ErrorCodes.invalidTransition]: 409,
  [ErrorCodes.payloadTooLarge]: 413,
  [ErrorCodes.backpressure]: 503,
  [ErrorCodes.queueUnavailable]: 503,
  [ErrorCodes.storage]: 503,
};

/** Every error leaves as JSON with a MEDIC_E_* code; nothing a client sends can crash the process. */
export function handleError(retryAfterSeconds: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isMedicError(error)) {
      const status = statusByCode[error.code] ?? 500;
      if (status === 503) reply.header('Retry-After', String(retryAfterSeconds));
      const field = typeof error.details['field'] === 'string' ? { field: error.details['field'] } : {};
      return reply.code(status).send(errorBody(error.code, error.message, field));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody(ErrorCodes.payloadTooLarge, error.message, { field: '(body)' }));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody(ErrorCodes.badRequest, error.message, { field: 'content-type' }));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: malformed JSON, empty body, bad content-length.
      return reply.code(status).send(errorBody(ErrorCodes.badRequest, error.message, { field: '(body)' }));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(ErrorCodes.internal, 'internal error; see the medic log'));
  };
}
