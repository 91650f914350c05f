import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Playbook, RenderContext } from '../../src/domain/playbook.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { renderSteps } from '../../src/runner/render.js';

let rollback: Playbook;
beforeAll(async () => {
  const found = (await loadCatalog(defaultPlaybookDir())).get('rollback');
  if (!found) throw new Error('no rollback playbook');
  rollback = found;
});

function podTemplate(image: string, hash: string) {
  return {
    metadata: { labels: { app: 'checkout', 'pod-template-hash': hash }, annotations: { team: 'shop' } },
    spec: { containers: [{ name: 'app', image }] },
  };
}

function replicaSet(revision: number, image: string, owner = 'checkout'): KubeObject {
  const hash = `h${revision}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner}-${hash}`,
      namespace: 'shop',
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', name: owner, controller: true }],
    },
    spec: { replicas: revision === 4 ? 3 : 0, template: podTemplate(image, hash) },
  };
}

const deployment: KubeObject = {
  kind: 'Deployment',
  metadata: {
    name: 'checkout',
    namespace: 'shop',
    annotations: { 'deployment.kubernetes.io/revision': '4' },
  },
  spec: { template: podTemplate('shop/checkout:1.5.0', 'h4') },
};

function context(params: Record<string, unknown>, replicaSets: KubeObject[]): RenderContext {
  return {
    target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
    params,
    object: deployment,
    replicaSets,
    now: new Date('2026-03-01T10:05:00Z'),
  };
}

const history = [
  replicaSet(1, 'shop/checkout:1.2.0'),
  replicaSet(3, 'shop/checkout:1.4.0'),
  replicaSet(4, 'shop/checkout:1.5.0'),
  // Another Deployment's ReplicaSet with a higher "previous" revision must never be chosen.
  replicaSet(3, 'shop/cart:9.9.9', 'cart'),
];

const expectedPatch = (image: string) => [
  {
    op: 'replace',
    path: '/spec/template',
    value: {
      metadata: { labels: { app: 'checkout' }, annotations: { team: 'shop' } },
      spec: { containers: [{ name: 'app', image }] },
    },
  },
];

describe('rollback rendering (kubectl rollout undo)', () => {
  it('picks the highest revision below the current one, drops pod-template-hash, replaces /spec/template', () => {
    // Revisions need not be contiguous: 2 was reused by a later rollout, so 3 is the previous one.
    expect(renderSteps(rollback, context({}, [...history].reverse()))).toEqual([
      {
        action: 'patch',
        ref: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
        patchType: 'json',
        patch: expectedPatch('shop/checkout:1.4.0'),
      },
    ]);
  });

  it('picks toRevision when given', () => {
    expect(renderSteps(rollback, context({ toRevision: 1 }, history))[0]).toMatchObject({
      patch: expectedPatch('shop/checkout:1.2.0'),
    });
  });

  it('leaves the live ReplicaSet objects untouched', () => {
    const sets = [replicaSet(3, 'shop/checkout:1.4.0'), replicaSet(4, 'shop/checkout:1.5.0')];
    renderSteps(rollback, context({}, sets));
    const [previous] = sets;
    expect(previous?.spec?.['template']).toMatchObject({
      metadata: { labels: { app: 'checkout', 'pod-template-hash': 'h3' } },
    });
  });

  it('refuses a revision that does not exist', () => {
    expect(() => renderSteps(rollback, context({ toRevision: 2 }, history))).toThrow(
      expect.objectContaining({
        code: ErrorCodes.invalidDraft,
        message: 'Deployment shop/checkout has no revision 2 to roll back to',
        details: { reason: 'revision-not-found', toRevision: 2 },
      }),
    );
  });

  it('refuses when there is no earlier revision', () => {
    expect(() => renderSteps(rollback, context({}, [replicaSet(4, 'shop/checkout:1.5.0')]))).toThrow(
      expect.objectContaining({
        code: ErrorCodes.invalidDraft,
        message: 'Deployment shop/checkout has no revision before 4 to roll back to',
      }),
    );
  });
});
