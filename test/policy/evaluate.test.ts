import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import {
  checkoutRef,
  deployment,
  draft,
  guardInput,
  namespaceObject,
  playbook,
  withPolicy,
} from './fixtures.js';

describe('evaluatePolicy decisions', () => {
  it('needs one approval for a medium-risk draft under the default policy (nothing auto-approved)', () => {
    const verdict = evaluatePolicy(guardInput());
    expect(verdict).toMatchObject({ decision: 'needs-approval', approvers: 1, risk: 'medium' });
  });

  it('applies the two-person rule to high risk', () => {
    const verdict = evaluatePolicy(
      guardInput({
        playbook: playbook('scale', 'high'),
        draft: draft('scale', { ...checkoutRef }, { replicas: 6 }),
      }),
    );
    expect(verdict).toMatchObject({ decision: 'needs-approval', approvers: 2, risk: 'high' });
  });

  it('uses the configured approval counts', () => {
    const policy = withPolicy((p) => {
      p.approvals.required = 2;
      p.approvals.highRiskRequired = 3;
    });
    expect(evaluatePolicy(guardInput({ policy })).approvers).toBe(2);
    expect(evaluatePolicy(guardInput({ policy, playbook: playbook('scale', 'high') })).approvers).toBe(3);
  });

  it('auto-approves up to the configured risk and no further', () => {
    const policy = withPolicy((p) => {
      p.autoApprove.maxRisk = 'medium';
    });
    expect(evaluatePolicy(guardInput({ policy, playbook: playbook('scale', 'low') }))).toMatchObject({
      decision: 'auto-approved',
      approvers: 0,
    });
    expect(evaluatePolicy(guardInput({ policy, playbook: playbook('scale', 'medium') })).decision).toBe(
      'auto-approved',
    );
    expect(evaluatePolicy(guardInput({ policy, playbook: playbook('scale', 'high') }))).toMatchObject({
      decision: 'needs-approval',
      approvers: 2,
    });
  });

  it('never auto-approves a low-risk action under the default maxRisk none', () => {
    expect(evaluatePolicy(guardInput({ playbook: playbook('scale', 'low') }))).toMatchObject({
      decision: 'needs-approval',
      approvers: 1,
    });
  });

  it.each(['escalate', 'none'])('auto-approves %s with no approvers, whatever else is wrong', (id) => {
    const verdict = evaluatePolicy(
      guardInput({
        playbook: playbook(id, 'medium'),
        draft: draft(id, null),
        target: null,
        recent: { workloadLastHour: 99, clusterLastHour: 99, deletePodsThisIncident: 99 },
        policy: withPolicy((p) => {
          p.freezeWindows = [{ name: 'all', start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' }];
        }),
      }),
    );
    expect(verdict).toEqual({
      decision: 'auto-approved',
      reasons: [`${id}: changes nothing in the cluster`],
      approvers: 0,
      risk: 'medium',
    });
  });

  it('denies with every reason at once and no approvers, even when auto-approve would allow the risk', () => {
    const verdict = evaluatePolicy(
      guardInput({
        policy: withPolicy((p) => {
          p.autoApprove.maxRisk = 'high';
        }),
        draft: draft('scale', { ...checkoutRef }, { replicas: 60 }),
        recent: { workloadLastHour: 2, clusterLastHour: 0, deletePodsThisIncident: 0 },
        dryRunProblems: ['admission webhook "quota.example.com" denied the request: too many replicas'],
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.approvers).toBe(0);
    expect(verdict.reasons).toEqual([
      'scale: 60 replicas is more than the policy maximum of 50',
      'scale: 60 replicas is more than 2x the current 4',
      'blast radius: 2 action(s) on this workload in the last hour; the limit is 2',
      'dry-run: the API server refused: admission webhook "quota.example.com" denied the request: too many replicas',
    ]);
  });

  it('denies a no-op', () => {
    const verdict = evaluatePolicy(guardInput({ noop: true }));
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toEqual(['no-op: the dry-run shows no change to the cluster']);
  });
});

describe('injection-shaped drafts are denied', () => {
  it('a target in kube-system', () => {
    const target = deployment({ name: 'coredns', namespace: 'kube-system', replicas: 2 });
    const verdict = evaluatePolicy(
      guardInput({
        incident: { id: 'inc-1', cluster: 'prod-eu', namespace: 'kube-system', correlationKey: 'k' },
        draft: draft(
          'scale',
          { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
          { replicas: 3 },
        ),
        target,
        targetNamespace: namespaceObject('kube-system'),
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toContain(
      'protected: namespace "kube-system" is protected; medic never acts in it',
    );
  });

  it("medic's own namespace", () => {
    const verdict = evaluatePolicy(
      guardInput({
        incident: { id: 'inc-1', cluster: 'prod-eu', namespace: 'medic', correlationKey: 'k' },
        draft: draft('scale', { kind: 'Deployment', namespace: 'medic', name: 'medic' }, { replicas: 2 }),
        target: deployment({ name: 'medic', namespace: 'medic', replicas: 1 }),
      }),
    );
    expect(verdict.reasons).toContain('protected: namespace "medic" is protected; medic never acts in it');
  });

  it('scale to 0', () => {
    const verdict = evaluatePolicy(
      guardInput({ draft: draft('scale', { ...checkoutRef }, { replicas: 0 }) }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toEqual([
      'scale: 0 replicas would stop the workload, and the policy does not allow scaling to zero',
    ]);
  });

  it('10x memory', () => {
    const verdict = evaluatePolicy(
      guardInput({
        playbook: playbook('set-resources'),
        draft: draft('set-resources', { ...checkoutRef }, { container: 'app', 'limits.memory': '5Gi' }),
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toEqual(['set-resources: limits.memory 5Gi is more than 4x the current 512Mi']);
  });

  it("a target in another namespace than the incident's", () => {
    const verdict = evaluatePolicy(
      guardInput({
        draft: draft('scale', { kind: 'Deployment', namespace: 'payments', name: 'ledger' }, { replicas: 6 }),
        target: deployment({ name: 'ledger', namespace: 'payments' }),
        targetNamespace: namespaceObject('payments'),
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toEqual([
      'target: Deployment payments/ledger is in namespace "payments", not the incident\'s namespace "shop"',
    ]);
  });

  it('a target kind the playbook does not act on', () => {
    const verdict = evaluatePolicy(
      guardInput({
        draft: draft('scale', { kind: 'DaemonSet', namespace: 'shop', name: 'checkout' }, { replicas: 6 }),
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toContain(
      'scale: cannot act on a DaemonSet; it acts only on Deployment, StatefulSet',
    );
  });

  it('an acting playbook without a target, or whose target is missing from the cluster', () => {
    expect(evaluatePolicy(guardInput({ draft: draft('scale', null, { replicas: 6 }) })).reasons).toEqual([
      'scale: needs a target and the draft names none',
    ]);
    expect(evaluatePolicy(guardInput({ target: null })).reasons).toEqual([
      'target: Deployment shop/checkout was not found in the cluster',
    ]);
  });

  it('a namespaced target for an incident with no namespace', () => {
    const verdict = evaluatePolicy(
      guardInput({ incident: { id: 'inc-1', cluster: 'prod-eu', namespace: null, correlationKey: 'k' } }),
    );
    expect(verdict.reasons).toEqual([
      'target: Deployment shop/checkout is namespaced but the incident belongs to no namespace',
    ]);
  });

  it('a draft judged against a different playbook than it names', () => {
    const verdict = evaluatePolicy(
      guardInput({
        playbook: playbook('scale'),
        draft: draft('rollback', { ...checkoutRef }, { replicas: 6 }),
      }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons).toEqual(['draft: names playbook "rollback" but is judged as "scale"']);
  });

  it('a protected label on the object or on its namespace', () => {
    const onObject = evaluatePolicy(
      guardInput({ target: deployment({ labels: { 'medic.io/protected': 'true' } }) }),
    );
    expect(onObject.reasons).toEqual(['protected: checkout carries the label medic.io/protected=true']);
    const onNamespace = evaluatePolicy(
      guardInput({ targetNamespace: namespaceObject('shop', { 'medic.io/protected': 'true' }) }),
    );
    expect(onNamespace.reasons).toEqual([
      'protected: namespace "shop" carries the label medic.io/protected=true',
    ]);
    // A different value of the label does not protect.
    const otherValue = evaluatePolicy(
      guardInput({ target: deployment({ labels: { 'medic.io/protected': 'false' } }) }),
    );
    expect(otherValue.decision).toBe('needs-approval');
  });
});
