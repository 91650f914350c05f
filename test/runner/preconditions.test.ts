import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Playbook, PlaybookCatalog } from '../../src/domain/playbook.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { checkPreconditions } from '../../src/runner/preconditions.js';

let catalog: PlaybookCatalog;
beforeAll(async () => {
  catalog = await loadCatalog(defaultPlaybookDir());
});
const playbook = (id: string): Playbook => catalog.get(id) as Playbook;

const deployment = (paused = false): KubeObject => ({
  kind: 'Deployment',
  metadata: { name: 'checkout', namespace: 'shop' },
  spec: { paused, template: { spec: { containers: [{ name: 'app' }, { name: 'envoy' }] } } },
});
const pod: KubeObject = {
  kind: 'Pod',
  metadata: { name: 'checkout-abc', namespace: 'shop' },
  spec: { containers: [{ name: 'app' }] },
};

describe('checkPreconditions', () => {
  it('passes when the target exists, has the container and is not paused', () => {
    expect(
      checkPreconditions(playbook('set-resources'), { object: deployment(), params: { container: 'envoy' } }),
    ).toEqual([]);
    expect(checkPreconditions(playbook('rollout-restart'), { object: deployment(), params: {} })).toEqual([]);
  });

  it('reports a missing target', () => {
    expect(checkPreconditions(playbook('scale'), { object: null, params: { replicas: 2 } })).toEqual([
      'the target does not exist',
    ]);
  });

  it('reports a container that is not in the pod template, naming the ones that are', () => {
    expect(
      checkPreconditions(playbook('set-probe'), { object: deployment(), params: { container: 'web' } }),
    ).toEqual(['container "web" is not in Deployment shop/checkout (containers: app, envoy)']);
  });

  it("finds a Pod's own containers", () => {
    const loose = { ...playbook('set-resources'), targetKinds: ['Pod'] };
    expect(checkPreconditions(loose, { object: pod, params: { container: 'app' } })).toEqual([]);
    expect(checkPreconditions(loose, { object: pod, params: { container: 'envoy' } })).toHaveLength(1);
  });

  it('reports a paused Deployment for playbooks that roll out', () => {
    expect(checkPreconditions(playbook('rollout-restart'), { object: deployment(true), params: {} })).toEqual(
      ['Deployment shop/checkout is paused; resume it before changing its rollout'],
    );
    expect(checkPreconditions(playbook('rollback'), { object: deployment(true), params: {} })).toHaveLength(
      1,
    );
    // scale does not need a rollout to proceed, so a paused Deployment may still be scaled.
    expect(
      checkPreconditions(playbook('scale'), { object: deployment(true), params: { replicas: 2 } }),
    ).toEqual([]);
  });
});
