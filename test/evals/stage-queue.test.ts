import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { admitFresh } from '../../src/main/eval/admit.js';
import { InProcessStageQueue } from '../../src/main/eval/stage-queue.js';

describe('the in-process stage queue evals run on', () => {
  it('runs handed-off stages in order on drain, once per occasion, and never runs execute', async () => {
    const ran: string[] = [];
    const queue: InProcessStageQueue = new InProcessStageQueue({
      gather: async (id) => {
        ran.push(`gather:${id}`);
        await queue.enqueue('retrieve', id, 'first');
        await queue.enqueue('retrieve', id, 'first');
      },
      retrieve: async (id) => {
        ran.push(`retrieve:${id}`);
        await queue.enqueue('execute', id, 'plan-1');
      },
    });
    await queue.enqueue('gather', 'inc-1', 'opened');
    expect(ran).toEqual([]); // nothing runs inside the enqueuing transaction
    await queue.drain();
    expect(ran).toEqual(['gather:inc-1', 'retrieve:inc-1']);
    expect(queue.handOffs.map((h) => `${h.stage}:${h.occasion}`)).toEqual([
      'gather:opened',
      'retrieve:first',
      'execute:plan-1',
    ]);
    expect(queue.handed('execute', 'inc-1')).toBe(true);
  });
});

describe('admissions as the ingest queue builds them', () => {
  const alert = (key: string, status: Alert['status'], correlationKey: string) =>
    ({ key, status, correlationKey }) as Alert;

  it('drops repeats, gives each firing correlation key one new incident, and none to resolved-only keys', () => {
    let n = 0;
    const admissions = admitFresh(
      [
        alert('a', 'firing', 'shop/checkout'),
        alert('a', 'firing', 'shop/checkout'),
        alert('b', 'resolved', 'shop/checkout'),
        alert('c', 'resolved', 'shop/cart'),
        alert('d', 'firing', 'shop/search'),
      ],
      () => `inc-${++n}`,
    );
    expect(admissions.map((a) => [a.alert.key, a.incidentId])).toEqual([
      ['a', 'inc-1'],
      ['b', 'inc-1'],
      ['c', null],
      ['d', 'inc-2'],
    ]);
  });
});
