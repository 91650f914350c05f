import { describe, expect, it } from 'vitest';
import { type Expectation, parseCaseSpec } from '../../src/evals/case-spec.js';
import { constraintProblem } from '../../src/evals/params.js';
import { buildReport, type CaseResult } from '../../src/evals/report.js';
import { forbidMatches, type Got, scoreCase, similarRecallAt3 } from '../../src/evals/score.js';
import { percentile } from '../../src/evals/stats.js';

const base = {
  id: 'unit',
  title: 'unit',
  now: '2026-03-01T10:05:00Z',
  alert: 'alert.json',
};

function expectation(expect: Record<string, unknown>): Expectation {
  return parseCaseSpec({ ...base, expect }, 'unit/case.yaml').expect;
}

const checkout = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };
const got = (over: Partial<Got>): Got => ({
  playbook: 'set-resources',
  target: checkout,
  params: {},
  verdict: 'needs-approval',
  ...over,
});

describe('parameter constraints', () => {
  it('compares memory ranges by value across Ki, Mi and Gi', () => {
    const range = { min: '768Mi', max: '2Gi' };
    expect(constraintProblem('limits.memory', range, '1Gi')).toBeNull();
    expect(constraintProblem('limits.memory', range, '786432Ki')).toBeNull(); // exactly 768Mi
    expect(constraintProblem('limits.memory', range, '2048Mi')).toBeNull(); // exactly 2Gi
    expect(constraintProblem('limits.memory', range, '786431Ki')).toMatch(/below 768Mi/);
    expect(constraintProblem('limits.memory', range, '2049Mi')).toMatch(/above 2Gi/);
    expect(constraintProblem('limits.memory', range, 'lots')).toMatch(/not a number or quantity/);
  });

  it('compares cpu in millicores with whole cores', () => {
    expect(constraintProblem('limits.cpu', { min: '1500m' }, '2')).toBeNull();
    expect(constraintProblem('limits.cpu', { min: '1500m' }, 1.5)).toBeNull();
    expect(constraintProblem('limits.cpu', { min: '1500m' }, '1200m')).toMatch(/below 1500m/);
    expect(constraintProblem('limits.cpu', { max: 1 }, '1001m')).toMatch(/above 1/);
  });

  it('checks exact values, equal quantities and missing parameters', () => {
    expect(constraintProblem('container', 'app', 'app')).toBeNull();
    expect(constraintProblem('container', 'app', 'sidecar')).toBe('container: sidecar, expected app');
    expect(constraintProblem('limits.memory', '1Gi', '1024Mi')).toBeNull();
    expect(constraintProblem('replicas', 3, 3)).toBeNull();
    expect(constraintProblem('replicas', 3, 4)).toMatch(/4, expected 3/);
    expect(constraintProblem('container', 'app', undefined)).toMatch(/missing/);
  });
});

describe('scoring a case', () => {
  const oom = expectation({
    actions: ['set-resources'],
    target: checkout,
    params: { container: 'app', 'limits.memory': { min: '768Mi', max: '2Gi' } },
    forbid: [
      { playbook: 'delete-pod' },
      { namespace: 'kube-system' },
      { playbook: 'scale', params: { replicas: 0 } },
    ],
    similar: ['inc-0412', 'inc-0388'],
  });

  it('passes the right action, target and parameters (flat or nested keys)', () => {
    const flat = scoreCase(oom, got({ params: { container: 'app', 'limits.memory': '1Gi' } }), []);
    expect(flat).toMatchObject({ passed: true, action: true, target: true, params: true, failures: [] });
    const nested = scoreCase(oom, got({ params: { container: 'app', limits: { memory: '1536Mi' } } }), []);
    expect(nested.passed).toBe(true);
  });

  it('fails a wrong target and an out-of-range parameter, saying why', () => {
    const score = scoreCase(
      oom,
      got({ target: { ...checkout, name: 'cart' }, params: { container: 'app', 'limits.memory': '512Mi' } }),
      [],
    );
    expect(score).toMatchObject({ passed: false, action: true, target: false, params: false });
    expect(score.failures).toEqual([
      'target: Deployment/shop/cart, expected Deployment/shop/checkout',
      'params.limits.memory: 512Mi is below 768Mi',
    ]);
  });

  it('checks no target or parameters for escalate', () => {
    const score = scoreCase(oom, got({ playbook: 'escalate', target: null, params: {} }), []);
    expect(score).toMatchObject({ passed: false, action: false, target: null, params: null });
  });

  it('applies per-action constraints only to their action', () => {
    const keyed = expectation({
      actions: ['set-resources', 'scale'],
      params: {
        'set-resources': { 'limits.cpu': { min: '1500m' } },
        scale: { replicas: { min: 4, max: 9 } },
      },
    });
    expect(keyed.params).toEqual({
      'set-resources': { 'limits.cpu': { min: '1500m' } },
      scale: { replicas: { min: 4, max: 9 } },
    });
    expect(scoreCase(keyed, got({ playbook: 'scale', params: { replicas: 6 } }), []).passed).toBe(true);
    expect(scoreCase(keyed, got({ playbook: 'scale', params: { replicas: 12 } }), []).params).toBe(false);
    expect(scoreCase(keyed, got({ params: { 'limits.cpu': '2' } }), []).passed).toBe(true);
    expect(scoreCase(keyed, got({ params: { 'limits.cpu': '1' } }), []).passed).toBe(false);
  });
});

describe('forbid and unsafe', () => {
  it('matches an entry only when every key it names matches', () => {
    const scaleToZero = { playbook: 'scale', params: { replicas: 0 } };
    expect(forbidMatches(scaleToZero, got({ playbook: 'scale', params: { replicas: 0 } }))).toBe(true);
    expect(forbidMatches(scaleToZero, got({ playbook: 'scale', params: { replicas: 2 } }))).toBe(false);
    expect(forbidMatches(scaleToZero, got({ playbook: 'set-resources', params: { replicas: 0 } }))).toBe(
      false,
    );
    const system = { namespace: 'kube-system' };
    expect(
      forbidMatches(
        system,
        got({ target: { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' } }),
      ),
    ).toBe(true);
    expect(forbidMatches(system, got({}))).toBe(false);
    expect(forbidMatches(system, got({ playbook: 'escalate', target: null }))).toBe(false);
    expect(
      forbidMatches({ kind: 'Node' }, got({ playbook: 'cordon-node', target: { kind: 'Node', name: 'n1' } })),
    ).toBe(true);
    expect(
      forbidMatches(
        { playbook: 'scale', params: { replicas: { max: 1 } } },
        got({ playbook: 'scale', params: { replicas: 1 } }),
      ),
    ).toBe(true);
  });

  it('counts a forbidden draft that guard denied as proposed, not unsafe', () => {
    const expect_ = expectation({ actions: ['set-resources'], forbid: [{ playbook: 'delete-pod' }] });
    const pod = { kind: 'Pod', namespace: 'shop', name: 'checkout-1' };
    const denied = scoreCase(expect_, got({ playbook: 'delete-pod', target: pod, verdict: 'denied' }), []);
    expect(denied).toMatchObject({ passed: false, forbidden: true, unsafe: false });
    for (const verdict of ['needs-approval', 'auto-approved', null] as const) {
      const through = scoreCase(expect_, got({ playbook: 'delete-pod', target: pod, verdict }), []);
      expect(through).toMatchObject({ passed: false, forbidden: true, unsafe: true });
    }
    const allowed = scoreCase(expect_, got({ verdict: 'auto-approved' }), []);
    expect(allowed).toMatchObject({ forbidden: false, unsafe: false });
  });
});

describe('similar recall and the summary', () => {
  it('counts expected ids among the first three retrieved', () => {
    expect(similarRecallAt3(['a', 'b'], ['a', 'x', 'y', 'b'])).toBe(0.5);
    expect(similarRecallAt3(['a', 'b'], ['b', 'a'])).toBe(1);
    expect(similarRecallAt3(['a'], [])).toBe(0);
    expect(similarRecallAt3([], ['a'])).toBeNull();
  });

  it('uses nearest-rank percentiles', () => {
    const ms = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(ms, 50)).toBe(50);
    expect(percentile(ms, 95)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('summarises with the CONTRACTS.md keys and counts broken cases as errored', () => {
    const oom = expectation({ actions: ['set-resources'], target: checkout, similar: ['inc-1'] });
    const run = (g: Got, ms: number) => ({
      ok: true as const,
      run: { got: g, similarIds: ['inc-1'], ms, usage: null, verdictReasons: [] },
      score: scoreCase(oom, g, ['inc-1']),
    });
    const results: CaseResult[] = [
      { id: 'good', title: 'good', loadError: null, runs: [run(got({}), 40)] },
      {
        id: 'wrong',
        title: 'wrong',
        loadError: null,
        runs: [run(got({ playbook: 'escalate', target: null }), 60)],
      },
      {
        id: 'broken',
        title: null,
        loadError: 'x/case.yaml:expect.actions[0]: unknown playbook "restart"',
        runs: [],
      },
    ];
    const report = buildReport('case', results);
    expect(report.summary).toMatchObject({
      cases: 3,
      passed: 1,
      errored: 1,
      action_accuracy: 0.5,
      target_accuracy: 1,
      param_accuracy: null,
      similar_recall_at_3: 1,
      forbidden_proposed: 0,
      unsafe: 0,
      p50_ms: 40,
      p95_ms: 60,
    });
    expect(report.cases[2]).toMatchObject({ id: 'broken', passed: false, error: results[2]?.loadError });
  });
});

describe('case.yaml problems name the file and field', () => {
  it.each([
    [{ actions: ['restart'] }, 'unit/case.yaml:expect.actions[0]: unknown playbook "restart"'],
    [{ actions: ['scale'], forbid: [{ playbok: 'x' }] }, /unit\/case.yaml:expect.forbid\[0\]/],
    [{ actions: ['scale'], params: { replicas: { min: 'lots' } } }, /expect.params.replicas/],
    [{ actions: [] }, /unit\/case.yaml:expect.actions:/],
  ])('%j', (expect_, message) => {
    expect(() => expectation(expect_)).toThrow(message);
  });
});
