/** Stable error codes: scripts and runbooks match on these, so never rename one. */
export const ErrorCodes = {
  config: 'MEDIC_E_CONFIG',
  badRequest: 'MEDIC_E_BAD_REQUEST',
  unauthorized: 'MEDIC_E_UNAUTHORIZED',
  payloadTooLarge: 'MEDIC_E_PAYLOAD_TOO_LARGE',
  backpressure: 'MEDIC_E_BACKPRESSURE',
  queueUnavailable: 'MEDIC_E_QUEUE_UNAVAILABLE',
  upstreamUnavailable: 'MEDIC_E_UPSTREAM_UNAVAILABLE',
  notFound: 'MEDIC_E_NOT_FOUND',
  storage: 'MEDIC_E_STORAGE',
  auditChainBroken: 'MEDIC_E_AUDIT_CHAIN_BROKEN',
  invalidTransition: 'MEDIC_E_INVALID_TRANSITION',
  usage: 'MEDIC_E_USAGE',
  invalidQuantity: 'MEDIC_E_INVALID_QUANTITY',
  invalidPlaybook: 'MEDIC_E_INVALID_PLAYBOOK',
  invalidDraft: 'MEDIC_E_INVALID_DRAFT',
  invalidPolicy: 'MEDIC_E_INVALID_POLICY',
  drafterUnavailable: 'MEDIC_E_DRAFTER_UNAVAILABLE',
  clusterConflict: 'MEDIC_E_CLUSTER_CONFLICT',
  clusterInvalid: 'MEDIC_E_CLUSTER_INVALID',
  clusterForbidden: 'MEDIC_E_CLUSTER_FORBIDDEN',
  clusterNotFound: 'MEDIC_E_CLUSTER_NOT_FOUND',
  clusterUnavailable: 'MEDIC_E_CLUSTER_UNAVAILABLE',
  approvalRefused: 'MEDIC_E_APPROVAL_REFUSED',
  paused: 'MEDIC_E_PAUSED',
  invalidCase: 'MEDIC_E_INVALID_CASE',
  internal: 'MEDIC_E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class MedicError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MedicError';
    this.code = code;
    this.details = details;
  }
}

export function isMedicError(value: unknown): value is MedicError {
  return value instanceof MedicError;
}
