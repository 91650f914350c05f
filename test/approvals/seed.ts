import type { Incident } from '../../src/domain/incident.js';
import type { Plan } from '../../src/domain/plan.js';
import type { Risk } from '../../src/domain/playbook.js';
import type { Store } from '../../src/main/runtime.js';

/** An incident parked for approval with one plan, written straight into a real store. */
export async function seedAwaitingApproval(
  store: Store,
  id: string,
  options: { risk?: Risk; approvers?: number; expiresAt?: string } = {},
): Promise<Plan> {
  const now = new Date().toISOString();
  const incident: Incident = {
    id,
    correlationKey: `default/shop/Deployment/${id}`,
    state: 'awaiting-approval',
    title: 'KubePodCrashLooping shop/checkout',
    severity: 'critical',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: now,
    updatedAt: now,
    lastAlertAt: now,
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
  const target = { kind: 'Deployment' as const, namespace: 'shop', name: 'checkout' };
  const plan: Plan = {
    id: `${id}-plan`,
    incidentId: id,
    playbook: 'scale',
    target,
    params: { replicas: 4 },
    draft: {
      diagnosis: 'queue backlog',
      confidence: 0.7,
      playbook: 'scale',
      target,
      params: { replicas: 4 },
      rationale: 'consumer lag grows while consumers are saturated',
      evidence_refs: [],
      risk_notes: [],
    },
    steps: [{ action: 'patch', ref: target, patchType: 'merge', patch: { spec: { replicas: 4 } } }],
    dryRun: [{ ref: target, ok: true, message: null, diff: '-  replicas: 2\n+  replicas: 4\n' }],
    verdict: {
      decision: 'needs-approval',
      reasons: ['scale is medium risk'],
      approvers: options.approvers ?? 1,
      risk: options.risk ?? 'medium',
    },
    createdAt: now,
    expiresAt: options.expiresAt ?? new Date(Date.now() + 3_600_000).toISOString(),
  };
  await store.transaction(async (tx) => {
    await tx.insertIncident(incident);
    await tx.savePlan(plan);
  });
  return plan;
}
