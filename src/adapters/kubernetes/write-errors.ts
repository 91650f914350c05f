import { ApiException } from '@kubernetes/client-node';
import { type ErrorCode, ErrorCodes, MedicError } from '../../domain/errors.js';
import { statusOf } from './reader.js';

function writeCodeFor(status: number): ErrorCode {
  if (status === 409) return ErrorCodes.clusterConflict;
  if (status === 401 || status === 403) return ErrorCodes.clusterForbidden;
  if (status === 404) return ErrorCodes.clusterNotFound;
  if (status === 429 || status >= 500) return ErrorCodes.clusterUnavailable;
  // 400, 422 and the other refusals (405, 415) mean the request itself will never be accepted.
  return ErrorCodes.clusterInvalid;
}

/** Runs one write; any failure becomes a MedicError carrying the API server's Status message. */
export async function writeCall<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiException) {
      const status = error.code;
      const api = statusOf(error.body);
      const message = api.message ?? (status === 401 ? 'Unauthorized' : `HTTP ${status}`);
      throw new MedicError(writeCodeFor(status), `kubernetes: ${what}: ${message}`, {
        status,
        reason: api.reason ?? null,
        ...(api.details === undefined ? {} : { details: api.details }),
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new MedicError(
      ErrorCodes.clusterUnavailable,
      `kubernetes: ${what}: ${message}`,
      {},
      { cause: error },
    );
  }
}
