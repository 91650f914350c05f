import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { MedicError } from '../../src/domain/errors.js';
import { loadCatalog } from '../../src/runner/catalog.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-playbook-checks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = {
  id: 'resize',
  description: 'A test playbook; it exists only to exercise the semantic checks of the catalog loader.',
  risk: 'medium',
  targetKinds: ['Deployment'],
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['replicas'],
    properties: { replicas: { type: 'integer', minimum: 1 } },
  },
  examples: [{ replicas: 2 }],
  steps: [{ patch: { type: 'merge', template: { spec: { replicas: '{{ params.replicas }}' } } } }],
  rollback: 'restore',
};

/** The problems of one playbook file with these fields overriding the valid base; [] when it loads. */
async function problems(overrides: Record<string, unknown>): Promise<string[]> {
  await writeFile(join(dir, 'resize.yaml'), stringify({ ...base, ...overrides }));
  try {
    await loadCatalog(dir, { requiredIds: ['resize'] });
    return [];
  } catch (error) {
    return ((error as MedicError).details['problems'] as string[]).map((line) =>
      line.replace(`${dir}/resize.yaml: `, ''),
    );
  }
}

describe('semantic checks of a playbook file', () => {
  it('the base file is valid', async () => {
    expect(await problems({})).toEqual([]);
  });

  it('a contract id must declare exactly the CONTRACTS.md parameters', async () => {
    await writeFile(
      join(dir, 'scale.yaml'),
      stringify({
        ...base,
        id: 'scale',
        params: { ...base.params, required: [], properties: { count: { type: 'integer' } } },
        examples: [{ count: 1 }],
        steps: [{ patch: { type: 'merge', template: { spec: { replicas: '{{ params.count }}' } } } }],
      }),
    );
    const error = await loadCatalog(dir, { requiredIds: [] }).catch(
      (caught: unknown) => caught as MedicError,
    );
    expect((error as MedicError).details['problems']).toEqual([
      `${dir}/scale.yaml: params.properties: missing "replicas", which CONTRACTS.md names for scale`,
      `${dir}/scale.yaml: params.properties.count: not a parameter CONTRACTS.md names for scale`,
    ]);
  });

  it('the params schema must be a closed object', async () => {
    expect(await problems({ params: { ...base.params, additionalProperties: true } })).toEqual([
      'params.additionalProperties: must be false',
    ]);
  });

  it('examples must pass the params schema', async () => {
    expect(await problems({ examples: [{ replicas: 0 }] })).toEqual(['examples[0]: replicas: must be >= 1']);
    expect(await problems({ examples: undefined })).toEqual(['examples: replicas: is required']);
  });

  it('steps must fit the target kinds', async () => {
    expect(await problems({ steps: ['delete-pod'] })).toEqual([
      'steps[0].delete-pod: works only on Pod targets',
    ]);
    expect(await problems({ steps: [{ cordon: {}, 'delete-pod': {} }] })).toEqual([
      'steps[0]: needs exactly one of patch, delete-pod, cordon, rollback-template (found delete-pod, cordon)',
    ]);
    expect(await problems({ targetKinds: [] })).toEqual([
      'targetKinds: a playbook with steps needs a target kind',
    ]);
  });

  it('placeholders must be well-formed and step conditions must name parameters', async () => {
    expect(
      await problems({
        steps: [{ patch: { type: 'merge', template: { spec: { replicas: '{{ params.replicas }' } } } }],
      }),
    ).toEqual(['steps[0].patch.template.spec.replicas: malformed placeholder (only {{ name }} is allowed)']);
    expect(await problems({ steps: [{ when: { size: 'big' }, ...base.steps[0] }] })).toEqual([
      'steps[0].when.size: not a declared parameter',
    ]);
    expect(await problems({ steps: [{ when: { replicas: 7 }, ...base.steps[0] }] })).toEqual([
      'steps[0].when: no example exercises this step',
    ]);
  });

  it('preconditions, wait and verify must make sense', async () => {
    expect(await problems({ preconditions: ['container-exists'] })).toEqual([
      'preconditions: container-exists needs a "container" parameter',
    ]);
    expect(
      await problems({
        targetKinds: ['HorizontalPodAutoscaler'],
        wait: { rollout: true, timeoutSeconds: 60 },
      }),
    ).toEqual(['wait.rollout: only Deployments, StatefulSets and DaemonSets roll out']);
    expect(
      await problems({ verify: [{ signal: 'http_error_ratio', condition: 'below', windowSeconds: 300 }] }),
    ).toEqual(['verify[0].threshold: is required for below']);
    expect(
      await problems({ verify: [{ signal: 'made_up', condition: 'not-increasing', windowSeconds: 300 }] }),
    ).toEqual([expect.stringMatching(/^verify\[0\]\.signal: must be one of memory_working_set_bytes, /)]);
  });

  it('risk and rollback are required and enumerated', async () => {
    expect(await problems({ risk: 'extreme', rollback: undefined })).toEqual([
      'risk: must be one of low, medium, high',
      'rollback: must be one of restore, none',
    ]);
  });
});
