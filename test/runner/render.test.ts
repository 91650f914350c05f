import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { ObjectRef, Playbook, PlaybookCatalog, RenderContext } from '../../src/domain/playbook.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { renderSteps } from '../../src/runner/render.js';

let catalog: PlaybookCatalog;
beforeAll(async () => {
  catalog = await loadCatalog(defaultPlaybookDir());
});

const NOW = new Date('2026-03-01T10:05:00.123Z');
const checkout: ObjectRef = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'checkout',
      namespace: 'shop',
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'checkout' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'shop/checkout:1.4.0',
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

function playbook(id: string): Playbook {
  const found = catalog.get(id);
  if (!found) throw new Error(`no playbook ${id}`);
  return found;
}

function render(
  id: string,
  params: Record<string, unknown>,
  target: ObjectRef = checkout,
  extra: Partial<RenderContext> = {},
) {
  expect(catalog.checkParams(id, params)).toEqual([]);
  return renderSteps(playbook(id), {
    target,
    params,
    object: deployment(),
    replicaSets: [],
    now: NOW,
    ...extra,
  });
}

const containerPatch = (container: Record<string, unknown>) => ({
  spec: { template: { spec: { containers: [container] } } },
});

describe('renderSteps', () => {
  it('set-resources patches only the given keys of one container, by name, with strategic merge', () => {
    expect(render('set-resources', { container: 'app', 'limits.memory': '1Gi' })).toEqual([
      {
        action: 'patch',
        ref: checkout,
        patchType: 'strategic-merge',
        patch: containerPatch({ name: 'app', resources: { limits: { memory: '1Gi' } } }),
      },
    ]);
    expect(
      render('set-resources', {
        container: 'app',
        'requests.cpu': '500m',
        'limits.cpu': '1.5',
        'requests.memory': '768Mi',
      })[0],
    ).toMatchObject({
      patch: containerPatch({
        name: 'app',
        resources: { requests: { cpu: '500m', memory: '768Mi' }, limits: { cpu: '1.5' } },
      }),
    });
  });

  it('rollout-restart sets restartedAt to now in RFC 3339', () => {
    expect(render('rollout-restart', {})).toEqual([
      {
        action: 'patch',
        ref: checkout,
        patchType: 'strategic-merge',
        patch: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-03-01T10:05:00Z' } },
            },
          },
        },
      },
    ]);
  });

  it('scale merges spec.replicas as a number', () => {
    expect(render('scale', { replicas: 6 })).toEqual([
      { action: 'patch', ref: checkout, patchType: 'merge', patch: { spec: { replicas: 6 } } },
    ]);
  });

  it('set-probe patches only the chosen probe, with numbers kept as numbers', () => {
    const steps = render('set-probe', {
      container: 'app',
      probe: 'liveness',
      initialDelaySeconds: 60,
      failureThreshold: 5,
    });
    expect(steps).toEqual([
      {
        action: 'patch',
        ref: checkout,
        patchType: 'strategic-merge',
        patch: containerPatch({
          name: 'app',
          livenessProbe: { initialDelaySeconds: 60, failureThreshold: 5 },
        }),
      },
    ]);
    expect(render('set-probe', { container: 'app', probe: 'readiness', timeoutSeconds: 3 })[0]).toMatchObject(
      {
        patch: containerPatch({ name: 'app', readinessProbe: { timeoutSeconds: 3 } }),
      },
    );
  });

  it('set-hpa-bounds merges the HPA spec with only the bounds given', () => {
    const hpa: ObjectRef = { kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' };
    expect(render('set-hpa-bounds', { maxReplicas: 20 }, hpa)).toEqual([
      { action: 'patch', ref: hpa, patchType: 'merge', patch: { spec: { maxReplicas: 20 } } },
    ]);
    expect(render('set-hpa-bounds', { minReplicas: 3, maxReplicas: 12 }, hpa)[0]).toMatchObject({
      patch: { spec: { minReplicas: 3, maxReplicas: 12 } },
    });
  });

  it('delete-pod deletes the Pod and cordon-node patches the Node without a namespace', () => {
    const pod: ObjectRef = { kind: 'Pod', namespace: 'shop', name: 'checkout-7d9f8-abcde' };
    expect(render('delete-pod', {}, pod)).toEqual([{ action: 'delete', ref: pod }]);
    expect(render('cordon-node', {}, { kind: 'Node', namespace: 'ignored', name: 'node-3' })).toEqual([
      {
        action: 'patch',
        ref: { kind: 'Node', name: 'node-3' },
        patchType: 'merge',
        patch: { spec: { unschedulable: true } },
      },
    ]);
  });

  it('escalate and none render nothing', () => {
    expect(
      renderSteps(playbook('escalate'), {
        target: checkout,
        params: {},
        object: deployment(),
        replicaSets: [],
        now: NOW,
      }),
    ).toEqual([]);
    expect(
      renderSteps(playbook('none'), {
        target: checkout,
        params: {},
        object: deployment(),
        replicaSets: [],
        now: NOW,
      }),
    ).toEqual([]);
  });

  it('refuses a target kind the playbook does not handle', () => {
    expect(() => render('scale', { replicas: 2 }, { kind: 'Node', name: 'node-1' })).toThrow(
      expect.objectContaining({
        code: ErrorCodes.invalidDraft,
        message: 'scale acts on Deployment, StatefulSet, not on a Node',
      }),
    );
    expect(() => render('delete-pod', {}, checkout)).toThrow(
      expect.objectContaining({ code: ErrorCodes.invalidDraft }),
    );
  });

  it('refuses parameters that leave nothing to change', () => {
    // checkParams would refuse these; render must still not send an empty patch if called anyway.
    expect(() =>
      renderSteps(playbook('set-hpa-bounds'), {
        target: { kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' },
        params: {},
        object: deployment(),
        replicaSets: [],
        now: NOW,
      }),
    ).toThrow(expect.objectContaining({ code: ErrorCodes.invalidDraft }));
  });
});
