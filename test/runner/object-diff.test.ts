import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { objectDiff } from '../../src/runner/object-diff.js';

const deployment = (memory: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'checkout', namespace: 'shop', resourceVersion, generation: 3, managedFields: [{}] },
  spec: {
    replicas: 3,
    template: { spec: { containers: [{ name: 'app', resources: { limits: { memory } } }] } },
  },
  status: { readyReplicas: 3 },
});

describe('objectDiff', () => {
  it('shows the changed field as a unified diff of the YAML', () => {
    const diff = objectDiff(deployment('512Mi', '10'), deployment('768Mi', '11'), 'Deployment shop/checkout');
    expect(diff).toContain('--- Deployment shop/checkout (live)');
    expect(diff).toContain('-              memory: 512Mi');
    expect(diff).toContain('+              memory: 768Mi');
    expect(diff).not.toContain('resourceVersion');
  });

  it('is empty when only server-managed fields and status differ', () => {
    const after = { ...deployment('512Mi', '11'), status: { readyReplicas: 1 } };
    expect(objectDiff(deployment('512Mi', '10'), after, 'x')).toBe('');
  });
});
