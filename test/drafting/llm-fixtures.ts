import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Draft } from '../../src/domain/draft.js';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import type { Incident, IncidentAlert } from '../../src/domain/incident.js';
import type { Playbook, PlaybookCatalog } from '../../src/domain/playbook.js';
import type { DraftInput } from '../../src/ports/drafter.js';

/** A small catalog built by hand (the YAML catalog is another helper's), checked with Ajv like the real one. */
export function testCatalog(): PlaybookCatalog {
  const playbook = (id: string, targetKinds: string[], paramsSchema: Record<string, unknown>): Playbook => ({
    id,
    description: `${id} playbook`,
    risk: targetKinds.length === 0 ? 'low' : 'medium',
    targetKinds,
    paramsSchema,
    preconditions: [],
    steps: [],
    wait: null,
    verify: [],
    rollback: 'none',
    source: `test:${id}`,
  });
  const none = { type: 'object', additionalProperties: false, properties: {} };
  const playbooks = [
    playbook('rollout-restart', ['Deployment', 'StatefulSet', 'DaemonSet'], none),
    playbook('scale', ['Deployment', 'StatefulSet'], {
      type: 'object',
      additionalProperties: false,
      required: ['replicas'],
      properties: { replicas: { type: 'integer', minimum: 1, maximum: 50 } },
    }),
    playbook('delete-pod', ['Pod'], none),
    playbook('set-hpa-bounds', ['HorizontalPodAutoscaler'], {
      type: 'object',
      additionalProperties: false,
      properties: {
        minReplicas: { type: 'integer', minimum: 1 },
        maxReplicas: { type: 'integer', minimum: 1 },
      },
    }),
    playbook('cordon-node', ['Node'], none),
    playbook('escalate', [], none),
    playbook('none', [], none),
  ];
  const ajv = new Ajv2020({ allErrors: true });
  const validators = new Map(playbooks.map((p) => [p.id, ajv.compile(p.paramsSchema)]));
  return {
    list: () => playbooks,
    get: (id) => playbooks.find((p) => p.id === id),
    checkParams: (id, params) => {
      const validate = validators.get(id);
      if (!validate) return [`params: unknown playbook ${id}`];
      if (validate(params)) return [];
      return (validate.errors ?? []).map(
        (e) => `${e.instancePath.slice(1) || 'params'}: ${e.message ?? 'invalid'}`,
      );
    },
  };
}

export function testIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-20260301-abcd',
    correlationKey: 'prod/shop/Deployment/checkout',
    state: 'gathering',
    title: 'checkout restarting',
    severity: 'critical',
    cluster: 'prod',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    lastAlertAt: '2026-03-01T10:00:00Z',
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
    ...overrides,
  };
}

export function testAlert(annotations: Record<string, string> = {}): IncidentAlert {
  return {
    fingerprint: 'f1',
    alertname: 'KubePodCrashLooping',
    status: 'firing',
    severity: 'critical',
    labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', deployment: 'checkout' },
    annotations: { summary: 'checkout is crash looping', ...annotations },
    startsAt: '2026-03-01T09:58:00Z',
    endsAt: null,
    generatorURL: null,
    firstSeenAt: '2026-03-01T09:58:00Z',
    lastSeenAt: '2026-03-01T09:58:00Z',
  };
}

export function testEvidence(logSamples: string[] = []): EvidenceBundle {
  return {
    incidentId: 'inc-20260301-abcd',
    collectedAt: '2026-03-01T10:01:00Z',
    window: {
      baselineStart: '2026-03-01T09:00:00Z',
      start: '2026-03-01T09:45:00Z',
      end: '2026-03-01T10:00:00Z',
    },
    sources: [{ source: 'logs', state: 'ok', reason: null, ms: 5 }],
    signals: [],
    alertExpression: null,
    logs: {
      total: logSamples.length,
      patterns: logSamples.map((sample, i) => ({
        template: `pattern ${i}`,
        count: 3,
        firstSeen: '2026-03-01T09:50:00Z',
        lastSeen: '2026-03-01T09:59:00Z',
        level: 'error',
        sample,
      })),
    },
    traces: {
      spans: 10,
      traces: 2,
      operations: [],
      edges: [{ from: 'checkout', to: 'payments', calls: 10, errors: 4 }],
      errorOrigins: [{ service: 'payments', operation: 'POST /charge', errors: 4 }],
    },
    cluster: {
      workload: { kind: 'Deployment', name: 'checkout', paused: false, replicas: 3, available: 1 },
      rollouts: [],
      restarts: [
        {
          pod: 'checkout-7d9f8-abcde',
          container: 'app',
          restarts: 5,
          lastReason: 'OOMKilled',
          lastExitCode: 137,
          lastFinishedAt: null,
          waitingReason: 'CrashLoopBackOff',
        },
      ],
      warnings: [],
      hpasAtMax: [{ name: 'checkout-hpa', current: 10, max: 10 }],
      nodeConditions: [
        { node: 'node-a', condition: 'MemoryPressure', status: 'True', reason: null, since: null },
      ],
      pendingPods: [],
    },
    changes: [],
    trimmed: [],
  };
}

export function testInput(overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    incident: testIncident(),
    alerts: [testAlert()],
    evidence: testEvidence(),
    similar: null,
    catalog: testCatalog(),
    now: new Date('2026-03-01T10:01:00Z'),
    ...overrides,
  };
}

export function restartDraft(overrides: Partial<Draft> = {}): Draft {
  return {
    diagnosis: 'checkout is crash looping after OOM kills',
    confidence: 0.7,
    playbook: 'rollout-restart',
    target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
    params: {},
    rationale: 'restarts clear the bad state',
    evidence_refs: ['restarts'],
    risk_notes: [],
    ...overrides,
  };
}
