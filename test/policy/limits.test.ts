import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { blastRadiusRule } from '../../src/policy/rules/blast-radius.js';
import { cordonNodeRule } from '../../src/policy/rules/cordon-node.js';
import { deletePodRule } from '../../src/policy/rules/delete-pod.js';
import { dryRunRule } from '../../src/policy/rules/dry-run.js';
import { hpaRule } from '../../src/policy/rules/hpa.js';
import { rollbackRule } from '../../src/policy/rules/rollback.js';
import {
  checkoutRef,
  deployment,
  draft,
  guardInput,
  hpa,
  node,
  playbook,
  pod,
  replicaSet,
  withPolicy,
} from './fixtures.js';

describe('rollback rule (now is 2026-03-04T10:00Z, current revision 5)', () => {
  // A revision's age is how long ago it stopped serving: when its successor's ReplicaSet appeared.
  const replicaSets = [
    replicaSet(5, '2026-03-03T09:00:00Z'), // revision 4 stopped serving yesterday
    replicaSet(4, '2026-02-18T10:00:00Z'), // revision 3 stopped serving exactly 14 days ago
    replicaSet(3, '2026-01-10T00:00:00Z'),
    replicaSet(2, '2026-02-01T00:00:00Z', 'other-app'),
  ];
  const rollback = (params: Record<string, unknown>, sets = replicaSets) =>
    rollbackRule(
      guardInput({
        playbook: playbook('rollback'),
        draft: draft('rollback', { ...checkoutRef }, params),
        replicaSets: sets,
      }),
    );

  it('allows the previous release however long it ran, and one retired exactly maxAgeDays ago', () => {
    expect(rollback({})).toEqual([]);
    expect(rollback({ toRevision: 4 })).toEqual([]);
    expect(rollback({ toRevision: 3 })).toEqual([]);
  });

  it('denies a revision retired just over maxAgeDays ago', () => {
    const older = [
      replicaSet(5, '2026-03-03T09:00:00Z'),
      replicaSet(4, '2026-02-18T09:59:00Z'),
      replicaSet(3, '2026-01-10T00:00:00Z'),
    ];
    expect(rollback({ toRevision: 3 }, older)).toEqual([
      'rollback: revision 3 stopped serving 14 days ago, longer than the 14 days allowed',
    ]);
  });

  it("denies a revision that is not among the deployment's ReplicaSets, the current one, or none at all", () => {
    expect(rollback({ toRevision: 2 })).toEqual(["rollback: revision 2 is not among checkout's ReplicaSets"]);
    expect(rollback({ toRevision: 5 })).toEqual(['rollback: revision 5 is the current revision of checkout']);
    expect(rollback({}, [replicaSets[0] ?? replicaSet(5, '')])).toEqual([
      'rollback: checkout has no previous revision to roll back to',
    ]);
  });

  it('uses the configured age', () => {
    const reasons = rollbackRule(
      guardInput({
        policy: withPolicy((p) => {
          p.limits.rollback.maxAgeDays = 7;
        }),
        playbook: playbook('rollback'),
        draft: draft('rollback', { ...checkoutRef }, { toRevision: 3 }),
        replicaSets,
      }),
    );
    expect(reasons).toEqual([
      'rollback: revision 3 stopped serving 14 days ago, longer than the 7 days allowed',
    ]);
  });
});

describe('delete-pod rule', () => {
  const deletePod = (done: number, maxPerIncident = 1) =>
    deletePodRule(
      guardInput({
        policy: withPolicy((p) => {
          p.limits.deletePod.maxPerIncident = maxPerIncident;
        }),
        playbook: playbook('delete-pod'),
        draft: draft('delete-pod', { kind: 'Pod', namespace: 'shop', name: 'checkout-7d9f8-abcde' }),
        target: pod(),
        recent: { workloadLastHour: 0, clusterLastHour: 0, deletePodsThisIncident: done },
      }),
    );

  it('allows the first pod and denies the second under the default of one', () => {
    expect(deletePod(0)).toEqual([]);
    expect(deletePod(1)).toEqual(['delete-pod: 1 pod(s) already deleted for this incident; the limit is 1']);
  });

  it('allows up to the configured count', () => {
    expect(deletePod(2, 3)).toEqual([]);
    expect(deletePod(3, 3)).toHaveLength(1);
  });
});

describe('cordon-node rule', () => {
  const cordon = (nodes: ReturnType<typeof node>[], name = 'node-a') =>
    cordonNodeRule(
      guardInput({
        playbook: playbook('cordon-node'),
        draft: draft('cordon-node', { kind: 'Node', name }),
        target: node(name),
        nodes,
      }),
    );
  const fleet = (size: number, cordoned: number) =>
    Array.from({ length: size }, (_, index) =>
      node(`node-${String.fromCharCode(97 + index)}`, index >= size - cordoned),
    );

  it('allows up to the default 34% unschedulable (one node of three) and denies past it', () => {
    expect(cordon(fleet(3, 0))).toEqual([]);
    expect(cordon(fleet(10, 2))).toEqual([]);
    expect(cordon(fleet(10, 3))).toEqual([
      'cordon-node: 4 of 10 nodes (40%) would be unschedulable, more than the 34% allowed',
    ]);
    expect(cordon(fleet(2, 0))).toEqual([
      'cordon-node: 1 of 2 nodes (50%) would be unschedulable, more than the 34% allowed',
    ]);
  });

  it('does not count a node twice when it is already cordoned', () => {
    expect(cordon(fleet(5, 1), 'node-e')).toEqual([]);
  });

  it('denies when the node list is empty', () => {
    expect(cordon([])).toEqual([
      'cordon-node: the node list is empty, so the share of unschedulable nodes is unknown',
    ]);
  });

  it('a Node target passes the full evaluation for a namespaced incident', () => {
    const verdict = evaluatePolicy(
      guardInput({
        playbook: playbook('cordon-node'),
        draft: draft('cordon-node', { kind: 'Node', name: 'node-a' }),
        target: node('node-a'),
        targetNamespace: null,
        nodes: fleet(5, 0),
      }),
    );
    expect(verdict).toMatchObject({ decision: 'needs-approval', approvers: 2 });
  });
});

describe('set-hpa-bounds rule (current 2..10)', () => {
  const bounds = (params: Record<string, unknown>) =>
    hpaRule(
      guardInput({
        playbook: playbook('set-hpa-bounds'),
        draft: draft(
          'set-hpa-bounds',
          { kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' },
          params,
        ),
        target: hpa(2, 10),
      }),
    );

  it('allows maxReplicas at 2x the current and denies one more', () => {
    expect(bounds({ maxReplicas: 20 })).toEqual([]);
    expect(bounds({ maxReplicas: 21 })).toEqual([
      'set-hpa-bounds: maxReplicas 21 is more than 2x the current 10',
    ]);
  });

  it('denies above the policy cap and inverted or zero bounds', () => {
    const reasons = hpaRule(
      guardInput({
        policy: withPolicy((p) => {
          p.limits.hpa.maxFactor = 100;
        }),
        playbook: playbook('set-hpa-bounds'),
        draft: draft(
          'set-hpa-bounds',
          { kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' },
          { maxReplicas: 101 },
        ),
        target: hpa(2, 10),
      }),
    );
    expect(reasons).toEqual(['set-hpa-bounds: maxReplicas 101 is more than the policy maximum of 100']);
    expect(bounds({ minReplicas: 12 })).toEqual(['set-hpa-bounds: minReplicas 12 is above maxReplicas 10']);
    expect(bounds({ minReplicas: 0, maxReplicas: 10 })).toEqual(['set-hpa-bounds: minReplicas 0 is below 1']);
    expect(bounds({ minReplicas: 4, maxReplicas: 12 })).toEqual([]);
    expect(bounds({})).toEqual(['set-hpa-bounds: the draft changes neither bound']);
  });
});

describe('blast radius rule', () => {
  const blast = (workloadLastHour: number, clusterLastHour: number) =>
    blastRadiusRule(guardInput({ recent: { workloadLastHour, clusterLastHour, deletePodsThisIncident: 0 } }));

  it('allows the last action within each limit and denies the next', () => {
    expect(blast(1, 9)).toEqual([]);
    expect(blast(2, 9)).toEqual([
      'blast radius: 2 action(s) on this workload in the last hour; the limit is 2',
    ]);
    expect(blast(1, 10)).toEqual([
      'blast radius: 10 action(s) in this cluster in the last hour; the limit is 10',
    ]);
  });
});

describe('dry-run rule', () => {
  it("denies with each of the API server's messages", () => {
    expect(
      dryRunRule(
        guardInput({
          dryRunProblems: [
            'Deployment.apps "checkout" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit',
          ],
        }),
      ),
    ).toEqual([
      'dry-run: the API server refused: Deployment.apps "checkout" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit',
    ]);
    expect(dryRunRule(guardInput())).toEqual([]);
  });
});

it('a workload target in the incident namespace passes every rule', () => {
  expect(evaluatePolicy(guardInput({ target: deployment() })).decision).toBe('needs-approval');
});
