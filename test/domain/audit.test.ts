import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditEventInput,
  auditHash,
  GENESIS_HASH,
  sealAuditEvent,
  verifyAuditChain,
} from '../../src/domain/audit.js';

const at = (i: number) => new Date(Date.UTC(2026, 10, 25, 10, i)).toISOString();

function input(i: number): AuditEventInput {
  return {
    incident: i % 2 === 0 ? `inc-${i}` : null,
    actor: 'test',
    type: `event.${i}`,
    data: { i, tags: ['a', `${i}`], nested: { ok: true } },
  };
}

function chain(length: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 1; i <= length; i += 1) events.push(sealAuditEvent(events.at(-1) ?? null, input(i), at(i)));
  return events;
}

/** The event re-hashed on top of `prevHash`: its own hash is consistent, its link may not be. */
function resealed(event: AuditEvent, prevHash: string): AuditEvent {
  const { hash: _hash, prevHash: _prev, ...content } = event;
  return { ...content, prevHash, hash: auditHash(prevHash, content) };
}

function nth<T>(list: T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no element ${index}`);
  return value;
}

describe('sealAuditEvent', () => {
  it('starts the chain at seq 1 from the genesis hash', () => {
    const first = sealAuditEvent(null, input(1), at(1));
    expect(first).toMatchObject({ seq: 1, at: at(1), prevHash: GENESIS_HASH, ...input(1) });
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash).toBe(auditHash(GENESIS_HASH, first));
  });

  it('links each event to the hash and seq of its predecessor', () => {
    const [first, second] = chain(2);
    expect(second).toMatchObject({ seq: 2, prevHash: first?.hash });
    expect(second?.hash).not.toBe(first?.hash);
  });

  it('hashes canonical JSON, so key order does not matter but every field does', () => {
    const base = { seq: 1, at: at(1), incident: 'inc-1', actor: 'a', type: 't', data: { a: 1, b: [1, 2] } };
    const hash = auditHash(GENESIS_HASH, base);
    expect(auditHash(GENESIS_HASH, { ...base, data: { b: [1, 2], a: 1 } })).toBe(hash);
    const variants = [
      { ...base, seq: 2 },
      { ...base, at: at(2) },
      { ...base, incident: null },
      { ...base, actor: 'b' },
      { ...base, type: 'u' },
      { ...base, data: { a: 1, b: [2, 1] } },
      { ...base, data: { a: '1', b: [1, 2] } },
    ];
    for (const variant of variants) expect(auditHash(GENESIS_HASH, variant)).not.toBe(hash);
    expect(auditHash('f'.repeat(64), base)).not.toBe(hash);
  });
});

describe('verifyAuditChain', () => {
  it('accepts an empty chain and an intact one', () => {
    expect(verifyAuditChain([])).toEqual({
      ok: true,
      checked: 0,
      firstBadSeq: null,
      problem: null,
      detail: null,
    });
    expect(verifyAuditChain(chain(5))).toEqual({
      ok: true,
      checked: 5,
      firstBadSeq: null,
      problem: null,
      detail: null,
    });
  });

  it('accepts any iterable, such as a generator over rows', () => {
    const events = chain(3);
    const rows = (function* () {
      yield* events;
    })();
    expect(verifyAuditChain(rows)).toMatchObject({ ok: true, checked: 3 });
  });

  it.each([
    ['data', { data: { i: 3, tags: ['a', '3'], nested: { ok: false } } }],
    ['at', { at: at(30) }],
    ['actor', { actor: 'mallory' }],
    ['type', { type: 'event.x' }],
    ['incident', { incident: 'inc-other' }],
    ['hash', { hash: 'f'.repeat(64) }],
  ])('reports an edited %s as "edited" at that seq', (_field, edit) => {
    const events = chain(5);
    events[2] = { ...nth(events, 2), ...edit };
    const result = verifyAuditChain(events);
    expect(result).toMatchObject({ ok: false, checked: 2, firstBadSeq: 3, problem: 'edited' });
    expect(result.detail).toContain('seq 3');
  });

  it('reports a missing event at the seq after the gap', () => {
    const events = chain(5);
    events.splice(2, 1);
    expect(verifyAuditChain(events)).toMatchObject({
      ok: false,
      checked: 2,
      firstBadSeq: 4,
      problem: 'missing-or-inserted',
    });
  });

  it('reports reordered events', () => {
    const events = chain(5);
    const swapped = [nth(events, 0), nth(events, 2), nth(events, 1), nth(events, 3), nth(events, 4)];
    expect(verifyAuditChain(swapped)).toMatchObject({
      ok: false,
      checked: 1,
      firstBadSeq: 3,
      problem: 'missing-or-inserted',
    });
    const repeated = [...events.slice(0, 3), nth(events, 1), ...events.slice(3)];
    expect(verifyAuditChain(repeated)).toMatchObject({
      ok: false,
      checked: 3,
      firstBadSeq: 2,
      problem: 'out-of-order',
    });
  });

  it('reports content moved between seqs as edited', () => {
    const events = chain(5);
    const second = nth(events, 1);
    const third = nth(events, 2);
    events[1] = { ...third, seq: 2 };
    events[2] = { ...second, seq: 3 };
    expect(verifyAuditChain(events)).toMatchObject({
      ok: false,
      checked: 1,
      firstBadSeq: 2,
      problem: 'edited',
    });
  });

  it('reports a self-consistent event that does not chain to its predecessor as a broken link', () => {
    const events = chain(5);
    events[3] = resealed(nth(events, 3), nth(events, 1).hash);
    const result = verifyAuditChain(events);
    expect(result).toMatchObject({ ok: false, checked: 3, firstBadSeq: 4, problem: 'broken-link' });
    expect(result.detail).toContain('seq 4');
  });

  it('requires the first event to be seq 1 chained to the genesis hash', () => {
    const events = chain(3);
    expect(verifyAuditChain(events.slice(1))).toMatchObject({
      ok: false,
      checked: 0,
      firstBadSeq: 2,
      problem: 'missing-or-inserted',
    });
    const forgedGenesis = resealed(nth(events, 0), 'a'.repeat(64));
    expect(verifyAuditChain([forgedGenesis, ...events.slice(1)])).toMatchObject({
      ok: false,
      checked: 0,
      firstBadSeq: 1,
      problem: 'broken-link',
    });
  });

  it('stops at the first problem even when later events are also bad', () => {
    const events = chain(6);
    events[4] = { ...nth(events, 4), actor: 'mallory' };
    events[1] = { ...nth(events, 1), actor: 'mallory' };
    expect(verifyAuditChain(events)).toMatchObject({ firstBadSeq: 2, checked: 1 });
  });
});
