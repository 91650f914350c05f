import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes, MedicError } from '../domain/errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares a bearer token in constant time; hashing first makes unequal lengths take the same path. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const presented = match?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(expected)) && presented.length > 0;
}

export function requireBearer(expected: string | undefined, what: string) {
  return async (request: FastifyRequest) => {
    if (expected === undefined) return;
    if (!bearerMatches(request.headers.authorization, expected)) {
      throw new MedicError(
        ErrorCodes.unauthorized,
        `${what} requires Authorization: Bearer <token>; the token is missing or wrong`,
        {
          field: 'authorization',
        },
      );
    }
  };
}
