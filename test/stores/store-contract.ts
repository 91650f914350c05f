import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEvent, type AuditProblem, auditHash } from '../../src/domain/audit.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { correlate } from '../../src/pipeline/correlate.js';
import type { IncidentQuery, IncidentTx } from '../../src/ports/incident-store.js';
import {
  admit,
  buildChain,
  type ContractStore,
  depsFor,
  firing,
  firstSeqNamed,
  minute,
  resolved,
  runCli,
  type StoreHandle,
} from './fixtures.js';
import { planRecordsContract } from './plan-records-contract.js';

export type { StoreHandle } from './fixtures.js';

const POD_A = 'checkout-7d9f8b6c5-bcdfg';
const POD_B = 'checkout-7d9f8b6c5-hjklm';
const podOf = (i: number) => `svc${i}-7d9f8b6c5-bcdfg`;

/** Every id in every page, following nextCursor to the end. */
async function allPages(store: ContractStore, query: IncidentQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ ...query, ...(cursor ? { cursor } : {}) });
    pages.push(page.items.map((incident) => incident.id));
    cursor = page.nextCursor;
    if (pages.length > 50) throw new Error('pagination does not terminate');
  } while (cursor);
  return pages;
}

interface Tampering {
  what: string;
  sql: (chain: AuditEvent[]) => string;
  firstBadSeq: number;
  problem: AuditProblem;
  /** Events verified before the bad one. */
  checked: number;
}

function forgedRow(seq: number, prevHash: string): string {
  const content = { seq, at: minute(seq), incident: null, actor: 'mallory', type: 'forged', data: {} };
  const hash = auditHash(prevHash, content);
  return `INSERT INTO audit_events (seq, at, incident, actor, type, data, prev_hash, hash)
    VALUES (${seq}, '${content.at}', NULL, 'mallory', 'forged', '{}', '${prevHash}', '${hash}')`;
}

const hashOf = (chain: AuditEvent[], seq: number): string => {
  const event = chain.find((candidate) => candidate.seq === seq);
  if (!event) throw new Error(`no seq ${seq} in the chain`);
  return event.hash;
};

// The chain these run against has seq 1..6.
const tamperings: Tampering[] = [
  {
    what: "an UPDATE of one row's data",
    sql: () => `UPDATE audit_events SET data = '{"n":99}' WHERE seq = 3`,
    firstBadSeq: 3,
    problem: 'edited',
    checked: 2,
  },
  {
    what: "an UPDATE that makes one row's data unparseable",
    sql: () => `UPDATE audit_events SET data = 'not json' WHERE seq = 2`,
    firstBadSeq: 2,
    problem: 'edited',
    checked: 1,
  },
  {
    what: 'a DELETE of a middle row',
    sql: () => 'DELETE FROM audit_events WHERE seq = 3',
    firstBadSeq: 4,
    problem: 'missing-or-inserted',
    checked: 2,
  },
  {
    // Exchanging the seq numbers exchanges everything else between the two rows.
    what: 'a swap of the content of two adjacent rows',
    sql: () => `UPDATE audit_events SET seq = -1 WHERE seq = 3;
      UPDATE audit_events SET seq = 3 WHERE seq = 4;
      UPDATE audit_events SET seq = 4 WHERE seq = -1`,
    firstBadSeq: 3,
    problem: 'edited',
    checked: 2,
  },
  {
    what: 'a forged row appended with a self-consistent hash but the wrong prev_hash',
    sql: (chain) => forgedRow(7, hashOf(chain, 5)),
    firstBadSeq: 7,
    problem: 'broken-link',
    checked: 6,
  },
  {
    what: 'a forged row inserted in the middle after shifting the later rows up',
    sql: (chain) => `UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 4;
      UPDATE audit_events SET seq = -seq WHERE seq < 0;
      ${forgedRow(4, hashOf(chain, 3))}`,
    // The forgery itself links correctly; the row after it no longer matches its own hash (seq is hashed).
    firstBadSeq: 5,
    problem: 'edited',
    checked: 4,
  },
];

/** Registers the behaviour every IncidentStore & AuditLog implementation must have. */
export function storeContract(name: string, open: () => Promise<StoreHandle>): void {
  describe(`${name} store contract`, () => {
    let h: StoreHandle;
    let store: ContractStore;

    beforeEach(async () => {
      h = await open();
      store = h.store;
    });

    afterEach(async () => {
      await h.close();
    });

    describe('correlate', () => {
      const batch = () =>
        admit('inc-a', [
          firing(POD_A),
          firing(POD_B),
          firing(POD_A, { alertname: 'KubeContainerOOMKilled' }),
        ]);

      it('opens an incident from a batch and treats a redelivered batch as a no-op', async () => {
        const deps = depsFor(store, minute(1));
        const admissions = batch();
        const first = await correlate([...admissions, ...admissions.slice(0, 1)], deps);
        expect(first).toMatchObject({ applied: 3, duplicates: 1, unmatched: 0, opened: ['inc-a'] });
        expect(first.auditEvents).toEqual(['incident.opened', 'alerts.received']);
        const opened = await store.get('inc-a');
        expect(opened).toMatchObject({
          state: 'open',
          alertCount: 3,
          firingCount: 3,
          openedAt: minute(1),
          resolvedAt: null,
          correlationKey: admissions[0]?.alert.correlationKey,
          workload: { kind: 'Deployment', name: 'checkout' },
        });
        expect(await store.alerts('inc-a')).toHaveLength(3);
        const audit = await store.read({});
        expect(audit.map((event) => event.type)).toEqual(['incident.opened', 'alerts.received']);

        const again = await correlate(batch(), deps.at(minute(2)));
        expect(again).toMatchObject({ applied: 0, duplicates: 3, unmatched: 0, opened: [], auditEvents: [] });
        expect(await store.get('inc-a')).toEqual(opened);
        expect(await store.read({})).toEqual(audit);
      });

      it('prunes receipts older than an instant, and a pruned alert still counts once', async () => {
        const deps = depsFor(store, minute(1));
        await correlate(batch(), deps);
        expect(await store.pruneReceipts(minute(0))).toBe(0);
        expect(await store.pruneReceipts(minute(2))).toBe(3);
        expect(await store.pruneReceipts(minute(2))).toBe(0);
        // Re-delivered after its receipt is gone: admitted again, but the incident holds each alert once.
        const replay = await correlate(batch(), deps.at(minute(3)));
        expect(replay.duplicates).toBe(0);
        expect(await store.get('inc-a')).toMatchObject({ alertCount: 3, firingCount: 3 });
      });

      it('leaves nothing behind when the transaction fails, so the retry applies the batch once', async () => {
        const deps = depsFor(store, minute(1));
        const crashing = Object.create(store) as ContractStore;
        crashing.transaction = <T>(work: (tx: IncidentTx) => Promise<T>): Promise<T> =>
          store.transaction(async (tx) => {
            await work(tx);
            throw new Error('simulated crash before commit');
          });
        await expect(correlate(batch(), { ...deps, store: crashing })).rejects.toThrow('simulated crash');
        expect(await store.get('inc-a')).toBeNull();
        expect(await store.read({})).toEqual([]);
        expect(await store.countByState()).toEqual({});

        const retry = await correlate(batch(), deps);
        expect(retry).toMatchObject({ applied: 3, duplicates: 0, opened: ['inc-a'] });
        expect(await store.get('inc-a')).toMatchObject({ alertCount: 3 });
      });

      it('resolves the incident once every fingerprint is resolved, finding it by fingerprint', async () => {
        const deps = depsFor(store, minute(1));
        await correlate(admit('inc-a', [firing(POD_A), firing(POD_B)]), deps);

        const partial = await correlate(admit('inc-a', [resolved(POD_A)]), deps.at(minute(2)));
        expect(partial).toMatchObject({ applied: 1, resolved: [] });
        expect(await store.get('inc-a')).toMatchObject({ state: 'open', firingCount: 1, resolvedAt: null });

        const full = await correlate(admit(null, [resolved(POD_B)]), deps.at(minute(3)));
        expect(full).toMatchObject({ applied: 1, unmatched: 0, resolved: ['inc-a'] });
        const incident = await store.get('inc-a');
        expect(incident).toMatchObject({
          state: 'resolved',
          resolvedAt: minute(3),
          updatedAt: minute(3),
          firingCount: 0,
          alertCount: 2,
        });
        expect((await store.alerts('inc-a')).map((alert) => alert.status)).toEqual(['resolved', 'resolved']);
        const last = (await store.read({ incident: 'inc-a' })).at(-1);
        expect(last).toMatchObject({
          type: 'incident.resolved',
          data: { from: 'open', to: 'resolved', reason: 'alerts' },
        });
        expect(deps.release).toHaveBeenCalledExactlyOnceWith(incident?.correlationKey, 'inc-a');

        const stray = await correlate(admit(null, [resolved('cart-7d9f8b6c5-bcdfg')]), deps.at(minute(4)));
        expect(stray).toMatchObject({ applied: 0, unmatched: 1, resolved: [] });
        expect(await store.countByState()).toEqual({ resolved: 1 });
      });

      it('keeps the newer occurrence of an alert when an older one arrives late', async () => {
        const deps = depsFor(store, minute(1));
        const newer = { startsAt: '2026-11-25T10:10:00Z', annotations: { summary: 'newer' } };
        const older = { startsAt: '2026-11-25T10:00:00Z', annotations: { summary: 'older' } };
        await correlate(admit('inc-a', [firing(POD_A, newer)]), deps);

        const late = await correlate(admit('inc-a', [firing(POD_A, older)]), deps.at(minute(2)));
        expect(late.applied).toBe(1);
        const lateResolve = await correlate(admit(null, [resolved(POD_A, older)]), deps.at(minute(3)));
        expect(lateResolve.resolved).toEqual([]);
        const [kept] = await store.alerts('inc-a');
        expect(kept).toMatchObject({
          status: 'firing',
          startsAt: '2026-11-25T10:10:00.000Z',
          annotations: { summary: 'newer' },
        });
        expect(await store.get('inc-a')).toMatchObject({ state: 'open', firingCount: 1, alertCount: 1 });

        const newest = { startsAt: '2026-11-25T10:20:00Z', annotations: { summary: 'newest' } };
        await correlate(admit('inc-a', [firing(POD_A, newest)]), deps.at(minute(4)));
        expect(await store.alerts('inc-a')).toMatchObject([
          { startsAt: '2026-11-25T10:20:00.000Z', annotations: { summary: 'newest' } },
        ]);
      });
    });

    describe('list and countByState', () => {
      const ids = Array.from({ length: 7 }, (_, i) => `inc-${i}`);
      const id = (...indexes: number[]) => indexes.map((i) => `inc-${i}`);

      beforeEach(async () => {
        const deps = depsFor(store);
        for (const [i, incident] of ids.entries()) {
          await correlate(admit(incident, [firing(podOf(i))]), deps.at(minute(10 + i)));
        }
        await correlate(admit(null, [resolved(podOf(1)), resolved(podOf(4))]), deps.at(minute(30)));
      });

      it('pages through every incident exactly once, newest first', async () => {
        expect(await allPages(store, { limit: 3 })).toEqual([id(6, 5, 4), id(3, 2, 1), id(0)]);
        expect(await allPages(store, { limit: 7 })).toEqual([id(6, 5, 4, 3, 2, 1, 0)]);
        const page = await store.list({ limit: 2 });
        expect(page.items.map((incident) => incident.openedAt)).toEqual([minute(16), minute(15)]);
      });

      it('filters by state and by an openedAt range, also across pages', async () => {
        const resolvedIds = (await store.list({ states: ['resolved'], limit: 10 })).items.map((i) => i.id);
        expect(resolvedIds).toEqual(id(4, 1));
        expect(await allPages(store, { states: ['open'], limit: 2 })).toEqual([id(6, 5), id(3, 2), id(0)]);
        expect(await allPages(store, { states: ['open', 'resolved'], limit: 10 })).toEqual([
          id(6, 5, 4, 3, 2, 1, 0),
        ]);
        // since is inclusive, until exclusive.
        const range = await store.list({ since: minute(12), until: minute(15), limit: 10 });
        expect(range.items.map((i) => i.id)).toEqual(id(4, 3, 2));
        expect(range.nextCursor).toBeNull();
        expect(await allPages(store, { since: minute(11), limit: 2 })).toEqual([
          id(6, 5),
          id(4, 3),
          id(2, 1),
        ]);
        expect(await allPages(store, { states: ['open'], until: minute(13), limit: 1 })).toEqual([
          id(2),
          id(0),
        ]);
      });

      it('breaks openedAt ties by id so pages neither skip nor repeat', async () => {
        const deps = depsFor(store, minute(40));
        await correlate(
          ['tie-b', 'tie-c', 'tie-a'].flatMap((incident, i) => admit(incident, [firing(podOf(20 + i))])),
          deps,
        );
        const pages = await allPages(store, { since: minute(40), limit: 1 });
        expect(pages).toEqual([['tie-c'], ['tie-b'], ['tie-a']]);
      });

      it('rejects a cursor it did not issue with MEDIC_E_BAD_REQUEST', async () => {
        for (const cursor of ['garbage!!', Buffer.from('{"x":1}').toString('base64url')]) {
          const attempt = store.list({ limit: 3, cursor });
          await expect(attempt).rejects.toBeInstanceOf(MedicError);
          await expect(attempt).rejects.toMatchObject({ code: ErrorCodes.badRequest });
        }
      });

      it('counts incidents by state', async () => {
        expect(await store.countByState()).toEqual({ open: 5, resolved: 2 });
      });
    });

    describe('drafts, plans, approvals and executions', () => {
      planRecordsContract(() => store);
    });

    describe('audit log', () => {
      it('appends a chain and reads it back by incident, afterSeq, since and limit', async () => {
        expect(await store.verify()).toMatchObject({ ok: true, checked: 0 });
        const chain = await buildChain(store, 6);
        expect(chain.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        chain.forEach((event, i) => {
          expect(event.prevHash).toBe(i === 0 ? '0'.repeat(64) : chain[i - 1]?.hash);
          expect(event.hash).toBe(auditHash(event.prevHash, event));
        });
        const appended = await store.append([
          { incident: 'inc-odd', actor: 'a', type: 't', data: { x: [1] } },
        ]);
        expect(appended).toMatchObject([{ seq: 7, prevHash: chain[5]?.hash }]);
        const all = [...chain, ...appended];

        expect(await store.read({})).toEqual(all);
        const seqs = (events: AuditEvent[]) => events.map((event) => event.seq);
        expect(seqs(await store.read({ incident: 'inc-odd' }))).toEqual([1, 5, 7]);
        expect(seqs(await store.read({ incident: 'inc-even' }))).toEqual([2, 4]);
        expect(seqs(await store.read({ afterSeq: 4 }))).toEqual([5, 6, 7]);
        expect(seqs(await store.read({ limit: 2 }))).toEqual([1, 2]);
        expect(seqs(await store.read({ afterSeq: 1, limit: 2 }))).toEqual([2, 3]);
        expect(seqs(await store.read({ since: minute(4) }))).toEqual([4, 5, 6, 7]);
        expect(seqs(await store.read({ since: minute(2), incident: 'inc-odd', limit: 1 }))).toEqual([5]);
        expect(await store.verify()).toEqual({
          ok: true,
          checked: 7,
          firstBadSeq: null,
          problem: null,
          detail: null,
        });
      });

      it('keeps the chain valid under concurrent appends', async () => {
        const batches = Array.from({ length: 20 }, (_, i) =>
          Array.from({ length: i % 4 === 0 ? 2 : 1 }, (_, j) => ({
            incident: `inc-${i}`,
            actor: 'test/concurrent',
            type: 'test.concurrent',
            data: { i, j },
          })),
        );
        const results = await Promise.all(batches.map((events) => store.append(events)));
        const total = batches.flat().length;
        for (const [i, appended] of results.entries()) {
          expect(appended.map((event) => event.data)).toEqual(batches[i]?.map((event) => event.data));
          if (appended.length === 2) expect(appended[1]?.seq).toBe((appended[0]?.seq ?? 0) + 1);
        }
        const range = Array.from({ length: total }, (_, i) => i + 1);
        expect(
          results
            .flat()
            .map((event) => event.seq)
            .sort((a, b) => a - b),
        ).toEqual(range);
        expect((await store.read({})).map((event) => event.seq)).toEqual(range);
        expect(await store.verify()).toMatchObject({ ok: true, checked: total });
      });

      it('refuses UPDATE and DELETE of audit events while the trigger is in place', async () => {
        const chain = await buildChain(store, 3);
        await expect(h.tamper(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`)).rejects.toThrow(
          /MEDIC_E_AUDIT_APPEND_ONLY/,
        );
        await expect(h.tamper('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(
          /MEDIC_E_AUDIT_APPEND_ONLY/,
        );
        expect(await store.read({})).toEqual(chain);
        expect(await store.verify()).toMatchObject({ ok: true, checked: 3 });
      });

      it.each(tamperings)('detects $what at seq $firstBadSeq, in verify() and the CLI', async (tampering) => {
        const chain = await buildChain(store, 6);
        await h.tamper(h.dropAppendOnlySql);
        await h.tamper(tampering.sql(chain));
        expect(await store.verify()).toMatchObject({
          ok: false,
          firstBadSeq: tampering.firstBadSeq,
          problem: tampering.problem,
          checked: tampering.checked,
        });
        const cli = await runCli(['audit', 'verify'], h.cliEnv);
        expect(cli.code, cli.stderr).toBe(1);
        expect(cli.stderr).toContain(ErrorCodes.auditChainBroken);
        expect(firstSeqNamed(cli.stderr)).toBe(tampering.firstBadSeq);
      });

      it('verifies an intact chain and exports it as JSON Lines through the CLI', async () => {
        const chain = await buildChain(store, 6);
        const verify = await runCli(['audit', 'verify'], h.cliEnv);
        expect(verify.code, verify.stderr).toBe(0);
        expect(verify.stdout).toContain('6 events');

        const parse = (stdout: string) =>
          stdout
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as AuditEvent);
        const all = await runCli(['audit', 'export'], h.cliEnv);
        expect(all.code, all.stderr).toBe(0);
        expect(parse(all.stdout)).toEqual(chain);

        const since = await runCli(['audit', 'export', '--since', '2026-11-25T11:04:00+01:00'], h.cliEnv);
        expect(since.code, since.stderr).toBe(0);
        expect(parse(since.stdout)).toEqual(chain.slice(3));
      });
    });
  });
}
