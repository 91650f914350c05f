import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { setResourcesRule } from '../../src/policy/rules/set-resources.js';
import {
  checkoutRef,
  deployment,
  draft,
  guardInput,
  limitRange,
  playbook,
  resourceQuota,
  withPolicy,
} from './fixtures.js';

function setResources(
  params: Record<string, unknown>,
  extra: { limitRanges?: KubeObject[]; resourceQuotas?: KubeObject[]; target?: KubeObject } = {},
) {
  return setResourcesRule(
    guardInput({
      playbook: playbook('set-resources'),
      draft: draft('set-resources', { ...checkoutRef }, params),
      ...extra,
    }),
  );
}

describe('set-resources rule', () => {
  it('allows exactly 4x the current value and denies just above it', () => {
    expect(setResources({ container: 'app', 'limits.memory': '2Gi' })).toEqual([]);
    expect(setResources({ container: 'app', 'limits.memory': '2049Mi' })).toEqual([
      'set-resources: limits.memory 2049Mi is more than 4x the current 512Mi',
    ]);
    expect(setResources({ container: 'app', 'requests.cpu': '1' })).toEqual([]);
    expect(setResources({ container: 'app', 'requests.cpu': '1001m' })).toEqual([
      'set-resources: requests.cpu 1001m is more than 4x the current 250m',
    ]);
  });

  it('compares each requested quantity with its own current value', () => {
    expect(
      setResources({ container: 'app', 'requests.memory': '2Gi', 'limits.memory': '2Gi', 'limits.cpu': '5' }),
    ).toEqual([
      'set-resources: requests.memory 2Gi is more than 4x the current 256Mi',
      'set-resources: limits.cpu 5 is more than 4x the current 1',
    ]);
  });

  it('uses the configured factor', () => {
    const reasons = setResourcesRule(
      guardInput({
        policy: withPolicy((p) => {
          p.limits.setResources.maxFactor = 2;
        }),
        playbook: playbook('set-resources'),
        draft: draft('set-resources', { ...checkoutRef }, { container: 'app', 'limits.memory': '1536Mi' }),
      }),
    );
    expect(reasons).toEqual(['set-resources: limits.memory 1536Mi is more than 2x the current 512Mi']);
  });

  it('bounds a resource with no current value by the LimitRange max for a Container', () => {
    const limitRanges = [limitRange({ cpu: '2', memory: '4Gi' })];
    // envoy has no memory request and no limits at all.
    expect(setResources({ container: 'envoy', 'limits.memory': '4Gi' }, { limitRanges })).toEqual([]);
    expect(setResources({ container: 'envoy', 'limits.memory': '5Gi' }, { limitRanges })).toEqual([
      'set-resources: limits.memory 5Gi is above the LimitRange container-limits maximum of 4Gi per container',
    ]);
    expect(setResources({ container: 'envoy', 'limits.memory': '64Gi' })).toEqual([]);
  });

  it('applies the LimitRange max even within the factor, and ignores other namespaces', () => {
    expect(
      setResources({ container: 'app', 'limits.cpu': '3' }, { limitRanges: [limitRange({ cpu: '2' })] }),
    ).toEqual([
      'set-resources: limits.cpu 3 is above the LimitRange container-limits maximum of 2 per container',
    ]);
    expect(
      setResources(
        { container: 'app', 'limits.cpu': '3' },
        { limitRanges: [limitRange({ cpu: '2' }, 'payments')] },
      ),
    ).toEqual([]);
  });

  it('denies when the new value across every replica would pass the ResourceQuota hard limit', () => {
    // 4 replicas at 512Mi = 2Gi of the 6Gi used; 1536Mi each adds 4Gi → 10Gi, the hard limit exactly.
    const quota = resourceQuota({ 'limits.memory': '10Gi' }, { 'limits.memory': '6Gi' });
    expect(
      setResources({ container: 'app', 'limits.memory': '1536Mi' }, { resourceQuotas: [quota] }),
    ).toEqual([]);
    expect(
      setResources({ container: 'app', 'limits.memory': '1600Mi' }, { resourceQuotas: [quota] }),
    ).toEqual([
      'set-resources: limits.memory 1600Mi for 4 pod(s) would bring the namespace to 10.25Gi of limits.memory, above the ResourceQuota compute hard limit of 10Gi',
    ]);
  });

  it('counts requests against the cpu/memory shorthand quota keys too', () => {
    // 4 × 250m = 1 core of the 3 used; 750m each adds 2 cores → 5 > 4.
    const quota = resourceQuota({ cpu: '4' }, { cpu: '3' });
    expect(setResources({ container: 'app', 'requests.cpu': '750m' }, { resourceQuotas: [quota] })).toEqual([
      'set-resources: requests.cpu 750m for 4 pod(s) would bring the namespace to 5 of cpu, above the ResourceQuota compute hard limit of 4',
    ]);
    expect(setResources({ container: 'app', 'requests.cpu': '500m' }, { resourceQuotas: [quota] })).toEqual(
      [],
    );
  });

  it('names a missing container, and asks for one when there are several', () => {
    expect(setResources({ container: 'sidecar', 'limits.memory': '1Gi' })).toEqual([
      'set-resources: Deployment shop/checkout has no container "sidecar"',
    ]);
    expect(setResources({ 'limits.memory': '1Gi' })).toEqual([
      'set-resources: Deployment shop/checkout has 2 containers; the draft must name one',
    ]);
  });

  it('refuses what is not a quantity, zero, and an empty change', () => {
    expect(setResources({ container: 'app', 'limits.memory': 'a lot' })).toEqual([
      'set-resources: limits.memory "a lot" is not a Kubernetes quantity',
    ]);
    expect(setResources({ container: 'app', 'limits.memory': '0' })).toEqual([
      'set-resources: limits.memory 0 must be above zero',
    ]);
    expect(setResources({ container: 'app' })).toEqual(['set-resources: the draft changes no resource']);
  });

  it('stays out of other playbooks', () => {
    expect(setResourcesRule(guardInput())).toEqual([]);
  });

  it('counts the target replicas, not a fixed number', () => {
    const quota = resourceQuota({ 'limits.memory': '4Gi' }, { 'limits.memory': '1Gi' });
    const target = deployment({ replicas: 2 });
    // 2 × 512Mi = 1Gi used; 2Gi each → 4Gi, exactly the limit.
    expect(
      setResources({ container: 'app', 'limits.memory': '2Gi' }, { resourceQuotas: [quota], target }),
    ).toEqual([]);
  });
});
