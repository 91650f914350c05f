import { describe, expect, it } from 'vitest';
import { draftSchema } from '../../src/domain/draft.js';
import { parseQuantity } from '../../src/domain/quantity.js';
import { CaseBasedDrafter } from '../../src/drafting/case-based/drafter.js';
import type { DraftInput } from '../../src/ports/drafter.js';
import { MI } from '../fixtures/drafting/builders.js';
import * as scenario from '../fixtures/drafting/scenarios.js';

const drafter = new CaseBasedDrafter();
const draft = async (input: DraftInput) => (await drafter.draft(input)).draft;

describe('case-based drafter: one realistic bundle per rule', () => {
  it('identifies itself as the case-based drafter', async () => {
    expect(drafter.identity).toEqual({ kind: 'case', name: 'case-based-v1', promptVersion: null });
    const answer = await drafter.draft(scenario.oomCheckout());
    expect(answer.attempts).toHaveLength(1);
    expect(answer.attempts[0]).toMatchObject({
      drafter: 'case-based-v1',
      ok: true,
      error: null,
      usage: null,
    });
    expect(JSON.parse(answer.attempts[0]?.raw ?? '{}').chosen).toBe('oom');
    expect(() => draftSchema.parse(answer.draft)).not.toThrow();
  });

  it('OOMKilled at a 512Mi limit with a 498Mi peak: limits.memory 768Mi on the container', async () => {
    const result = await draft(scenario.oomCheckout());
    expect(result.playbook).toBe('set-resources');
    expect(result.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    expect(result.params).toEqual({ container: 'app', 'limits.memory': '768Mi' });
    expect(result.confidence).toBeGreaterThanOrEqual(0.85);
    expect(result.rationale).toContain('498Mi');
    expect(result.rationale).toContain('6 restarts');
    expect(result.evidence_refs).toContain('signals.memory_working_set_bytes');
    expect(result.evidence_refs).toContain('cluster.restarts[checkout-7d9f8b6c5-bcdfg/app]');
  });

  it('raises requests.memory only when the old request would exceed the new limit', async () => {
    const input = scenario.oomCheckout(250, 256);
    for (const s of input.evidence?.signals ?? []) if (s.signal === 'memory_request_bytes') s.last = 400 * MI;
    const result = await draft(input);
    expect(result.params['limits.memory']).toBe('384Mi');
    expect(result.params['requests.memory']).toBe('384Mi');
    const plain = await draft(scenario.oomCheckout(250, 256));
    expect(plain.params['requests.memory']).toBeUndefined();
  });

  it('a slow leak without OOMKills escalates with the projection instead of resizing', async () => {
    const result = await draft(scenario.slowLeak());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toMatch(/leak/);
    expect(result.diagnosis).toMatch(/92 minutes from the limit/);
  });

  it('a slow leak that already OOMKills: a bigger limit to space the kills out, flagged as a leak', async () => {
    const input = scenario.slowLeak();
    input.evidence?.cluster?.restarts.push({
      pod: 'checkout-7d9f8b6c5-bcdfg',
      container: 'app',
      restarts: 2,
      lastReason: 'OOMKilled',
      lastExitCode: 137,
      lastFinishedAt: null,
      waitingReason: null,
    });
    const result = await draft(input);
    expect(result.playbook).toBe('set-resources');
    expect(result.params).toEqual({ container: 'app', 'limits.memory': '1280Mi' });
    expect(result.diagnosis).toMatch(/likely a leak/);
    expect(result.risk_notes.join(' ')).toMatch(/memory leak/);
    expect(result.confidence).toBeLessThanOrEqual(0.75);
  });

  it('an image that cannot be pulled after a rollout: rollback to the previous revision', async () => {
    const result = await draft(scenario.imagePullAfterRollout());
    expect(result.playbook).toBe('rollback');
    expect(result.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    expect(result.params).toEqual({ toRevision: 4 });
    expect(result.evidence_refs).toEqual(expect.arrayContaining(['cluster.rollouts[0]', 'changes[0]']));
  });

  it('an image pull failure with no recent rollout escalates (registry or credentials)', async () => {
    const result = await draft(scenario.imagePullAfterRollout(false));
    expect(result.playbook).toBe('escalate');
    expect(result.rationale).toMatch(/rollback would not help/);
  });

  it('a crash loop in the new ReplicaSet minutes after a rollout: rollback', async () => {
    const result = await draft(scenario.crashAfterRollout());
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 4 });
    expect(result.rationale).toMatch(/new ReplicaSet checkout-6b8c9d4f7/);
  });

  it('a StatefulSet crash loop escalates: rollback is Deployment-only and a restart recreates the crash', async () => {
    const answer = await drafter.draft(scenario.statefulSetCrashLoop());
    expect(answer.draft.playbook).toBe('escalate');
    expect(answer.draft.target).toBeNull();
    expect(JSON.parse(answer.attempts[0]?.raw ?? '{}').chosen).toBe('crash-loop');
    expect(answer.draft.rationale).toMatch(/Rollback is Deployment-only/);
    expect(answer.draft.diagnosis).toMatch(/exit code 1, 10 restarts/);
  });

  it('an error spike that starts in the service right after a rollout: rollback', async () => {
    const result = await draft(scenario.errorsAfterRollout());
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 4 });
    expect(result.diagnosis).toMatch(/14%/);
  });

  it('OOMKills only in a fresh revision: rollback rather than a bigger limit', async () => {
    const answer = await drafter.draft(scenario.oomAfterRollout());
    expect(answer.draft.playbook).toBe('rollback');
    expect(answer.draft.params).toEqual({ toRevision: 2 });
    expect(answer.draft.rationale).toMatch(/Also considered: set-resources/);
  });

  it('a missing Secret escalates when the rollout did not introduce the reference', async () => {
    const result = await draft(scenario.missingSecret(false));
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toContain('secret checkout-db');
  });

  it('a missing Secret that the rollout just referenced: rollback', async () => {
    const result = await draft(scenario.missingSecret(true));
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 4 });
  });

  it('a rollout past its progress deadline: rollback', async () => {
    const result = await draft(scenario.stuckRollout());
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 6 });
  });

  it('readiness failing right after a rollout: rollback', async () => {
    const result = await draft(scenario.readinessAfterRollout());
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 4 });
  });

  it('readiness failing only on pods of the old ReplicaSet is not blamed on the rollout', async () => {
    const input = scenario.readinessAfterRollout();
    for (const w of input.evidence?.cluster?.warnings ?? []) w.object = 'Pod/checkout-7d9f8b6c5-abcde';
    expect((await draft(input)).playbook).toBe('escalate');
  });

  it('a liveness probe killing slow containers: set-probe with more time and tries', async () => {
    const result = await draft(scenario.livenessTooAggressive());
    expect(result.playbook).toBe('set-probe');
    expect(result.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    expect(result.params).toEqual({
      container: 'app',
      probe: 'liveness',
      timeoutSeconds: 5,
      failureThreshold: 6,
    });
  });

  it('an HPA at its maximum with CPU saturated: raise maxReplicas within 2×', async () => {
    const result = await draft(scenario.hpaAtMax());
    expect(result.playbook).toBe('set-hpa-bounds');
    expect(result.target).toEqual({ kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' });
    expect(result.params).toEqual({ maxReplicas: 9 });
  });

  it('CPU throttled at the limit: limits.cpu doubled', async () => {
    const result = await draft(scenario.cpuThrottled());
    expect(result.playbook).toBe('set-resources');
    expect(result.params).toEqual({ container: 'app', 'limits.cpu': '1' });
  });

  it('throttled right after a scale-down: restore the replicas rather than resize the pods', async () => {
    const input = scenario.cpuThrottled();
    const at = new Date(input.now.getTime() - 25 * 60_000).toISOString();
    input.evidence?.changes.push({
      at,
      kind: 'scale',
      what: 'Scaled down replica set checkout-7d9f8b6c5 to 1 from 4',
    });
    const result = await draft(input);
    expect(result.playbook).toBe('scale');
    expect(result.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    expect(result.params).toEqual({ replicas: 4 });
    expect(result.evidence_refs).toContain('changes[0]');
    // A scale-down hours ago is not what strains the pods now: throttling is resized as usual.
    const old = scenario.cpuThrottled();
    old.evidence?.changes.push({
      at: new Date(old.now.getTime() - 5 * 3_600_000).toISOString(),
      kind: 'scale',
      what: 'Scaled down replica set checkout-7d9f8b6c5 to 1 from 4',
    });
    expect((await draft(old)).playbook).toBe('set-resources');
  });

  it('consumer lag growing with saturated consumers and no HPA: scale within 2×', async () => {
    const result = await draft(scenario.consumerLag());
    expect(result.playbook).toBe('scale');
    expect(result.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'orders-worker' });
    expect(result.params).toEqual({ replicas: 5 });
  });

  it('one pod far worse than its healthy siblings: delete that pod', async () => {
    const result = await draft(scenario.outlierPod());
    expect(result.playbook).toBe('delete-pod');
    expect(result.target).toEqual({ kind: 'Pod', namespace: 'shop', name: 'checkout-7d9f8b6c5-bcdfg' });
  });

  it('errors that start downstream: escalate naming the downstream, never act on the victim', async () => {
    const result = await draft(scenario.downstreamErrors());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toContain('payments');
    expect(result.evidence_refs).toContain('traces.errorOrigins[0]');
  });

  it('a database out of connections: escalate, since restarting clients makes it worse', async () => {
    const result = await draft(scenario.databaseExhausted());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toMatch(/100 of 100/);
    expect(result.risk_notes.join(' ')).toMatch(/worse/);
    expect(result.evidence_refs).toContain('logs.patterns[0]');
  });

  it('one NotReady node with healthy spare nodes: cordon it', async () => {
    const result = await draft(scenario.nodeNotReady());
    expect(result.playbook).toBe('cordon-node');
    expect(result.target).toEqual({ kind: 'Node', name: 'ip-10-0-3-77.eu-west-1.compute.internal' });
  });

  it("a bad node that none of the incident's pods run on is none of its business", async () => {
    const input = scenario.oomCheckout();
    input.evidence?.cluster?.nodeConditions.push({
      node: 'ip-10-0-9-9',
      condition: 'DiskPressure',
      status: 'True',
      reason: null,
      since: null,
    });
    const result = await draft(input);
    expect(result.playbook).toBe('set-resources');
    const quiet = scenario.nothingKnown();
    quiet.evidence?.cluster?.nodeConditions.push({
      node: 'ip-10-0-9-9',
      condition: 'DiskPressure',
      status: 'True',
      reason: null,
      since: null,
    });
    expect((await draft(quiet)).playbook).toBe('escalate');
  });

  it('two unhealthy nodes: escalate rather than shrink the cluster further', async () => {
    const result = await draft(scenario.nodeNotReady({ secondBadNode: true }));
    expect(result.playbook).toBe('escalate');
  });

  it('pods pending for lack of cpu: escalate (capacity is a human decision)', async () => {
    const result = await draft(scenario.pendingForCapacity());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toMatch(/lacks cpu/);
  });

  it('pods pending because a fresh rollout raised their requests: rollback', async () => {
    const result = await draft(scenario.pendingAfterRequestsRaised());
    expect(result.playbook).toBe('rollback');
    expect(result.params).toEqual({ toRevision: 4 });
    expect(result.rationale).toMatch(/resources\/requests\/cpu/);
  });

  it('consumer lag with idle consumers: escalate instead of scaling', async () => {
    const result = await draft(scenario.consumerLagIdle());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toMatch(/not CPU-bound \(20% of their CPU\)/);
  });

  it('an HPA at its maximum under growing load without CPU series: raise maxReplicas', async () => {
    const result = await draft(scenario.hpaAtMaxUnderLoad());
    expect(result.playbook).toBe('set-hpa-bounds');
    expect(result.params).toEqual({ maxReplicas: 15 });
  });

  it('pods evicted from the one node under DiskPressure: cordon that node', async () => {
    const result = await draft(scenario.evictedFromPressuredNode());
    expect(result.playbook).toBe('cordon-node');
    expect(result.target).toEqual({ kind: 'Node', name: 'ip-10-0-3-77.eu-west-1.compute.internal' });
  });

  it('pods pending because each requests far more cpu than its siblings use: lower the request', async () => {
    const result = await draft(scenario.pendingWithOversizedRequest());
    expect(result.playbook).toBe('set-resources');
    expect(result.params).toEqual({ container: 'app', 'requests.cpu': '600m' });
    expect(result.rationale).toMatch(/13\.3× the observed peak/);
  });

  it('nothing recognisable: escalate with the most unusual signal named', async () => {
    const result = await draft(scenario.nothingKnown());
    expect(result.playbook).toBe('escalate');
    expect(result.diagnosis).toContain('http_latency_p99_seconds');
    expect(result.confidence).toBeLessThan(0.5);
  });

  it('no evidence at all: escalate', async () => {
    const input = scenario.oomCheckout();
    const result = await draft({ ...input, evidence: null });
    expect(result.playbook).toBe('escalate');
  });

  it('every quantity it proposes parses', async () => {
    for (const make of [scenario.oomCheckout, scenario.cpuThrottled]) {
      const result = await draft(make());
      for (const key of ['limits.memory', 'limits.cpu', 'requests.memory']) {
        const value = result.params[key];
        if (value !== undefined) expect(Number.isFinite(parseQuantity(value as string))).toBe(true);
      }
    }
  });
});
