import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// The package is CommonJS with an ESM-style .d.ts; at run time the default import is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export interface AuditEventInput {
  incident: string | null;
  actor: string;
  type: string;
  data: Record<string, unknown>;
}

export interface AuditEvent extends AuditEventInput {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over the previous hash and the RFC 8785 canonical JSON of the event's content. */
export function auditHash(prevHash: string, event: Omit<AuditEvent, 'prevHash' | 'hash'>): string {
  const body = canonicalize({
    seq: event.seq,
    at: event.at,
    incident: event.incident,
    actor: event.actor,
    type: event.type,
    data: event.data,
  });
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(body ?? '')
    .digest('hex');
}

export function sealAuditEvent(
  prev: { seq: number; hash: string } | null,
  input: AuditEventInput,
  at: string,
): AuditEvent {
  const seq = (prev?.seq ?? 0) + 1;
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const unsealed = { seq, at, ...input };
  return { ...unsealed, prevHash, hash: auditHash(prevHash, unsealed) };
}

export type AuditProblem = 'edited' | 'missing-or-inserted' | 'broken-link' | 'out-of-order';

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  problem: AuditProblem | null;
  detail: string | null;
}

/**
 * Checks events one at a time in storage order, so a log of any length verifies in constant memory.
 * `push` returns the failure for the first event that does not follow from its predecessor.
 */
export class AuditChainVerifier {
  private previous: AuditEvent | null = null;
  private checked = 0;
  private failure: AuditVerification | null = null;

  push(event: AuditEvent): AuditVerification | null {
    if (this.failure) return this.failure;
    const previous = this.previous;
    const expectedSeq = (previous?.seq ?? 0) + 1;
    const fail = (problem: AuditProblem, detail: string): AuditVerification => {
      this.failure = { ok: false, checked: this.checked, firstBadSeq: event.seq, problem, detail };
      return this.failure;
    };
    if (event.seq < expectedSeq)
      return fail('out-of-order', `seq ${event.seq} follows seq ${previous?.seq ?? 0}`);
    if (event.seq > expectedSeq)
      return fail('missing-or-inserted', `expected seq ${expectedSeq}, found ${event.seq}`);
    if (auditHash(event.prevHash, event) !== event.hash) {
      return fail('edited', `content of seq ${event.seq} does not match its hash`);
    }
    if (event.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
      return fail('broken-link', `seq ${event.seq} does not chain to the hash of seq ${previous?.seq ?? 0}`);
    }
    this.previous = event;
    this.checked += 1;
    return null;
  }

  result(): AuditVerification {
    return (
      this.failure ?? { ok: true, checked: this.checked, firstBadSeq: null, problem: null, detail: null }
    );
  }
}

export function verifyAuditChain(events: Iterable<AuditEvent>): AuditVerification {
  const verifier = new AuditChainVerifier();
  for (const event of events) {
    if (verifier.push(event)) break;
  }
  return verifier.result();
}
