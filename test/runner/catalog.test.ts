import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { signalNames } from '../../src/domain/evidence/signals.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { CONTRACT_PLAYBOOK_IDS, CONTRACT_PLAYBOOK_PARAMS } from '../../src/runner/playbook-contract.js';

const BAD = 'test/fixtures/playbooks-bad';

async function problemsOf(load: Promise<unknown>): Promise<string[]> {
  const error = await load.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MedicError);
  expect((error as MedicError).code).toBe(ErrorCodes.invalidPlaybook);
  return (error as MedicError).details['problems'] as string[];
}

describe('the default playbook catalog', () => {
  it('loads from any working directory and holds exactly the CONTRACTS.md ids', async () => {
    const catalog = await loadCatalog(defaultPlaybookDir());
    expect(
      catalog
        .list()
        .map((p) => p.id)
        .sort(),
    ).toEqual([...CONTRACT_PLAYBOOK_IDS].sort());
    expect(defaultPlaybookDir()).toMatch(/playbooks$/);
  });

  it('declares exactly the parameter keys CONTRACTS.md names, and names only known signals', async () => {
    const catalog = await loadCatalog(defaultPlaybookDir());
    for (const playbook of catalog.list()) {
      const properties = Object.keys((playbook.paramsSchema as { properties: object }).properties);
      expect(properties.sort(), playbook.id).toEqual(
        [...(CONTRACT_PLAYBOOK_PARAMS[playbook.id] ?? [])].sort(),
      );
      for (const condition of playbook.verify) {
        if (condition.signal !== null) expect(signalNames).toContain(condition.signal);
      }
    }
  });

  it('maps friendly YAML to the domain type', async () => {
    const catalog = await loadCatalog(defaultPlaybookDir());
    const scale = catalog.get('scale');
    expect(scale).toMatchObject({
      risk: 'medium',
      targetKinds: ['Deployment', 'StatefulSet'],
      preconditions: ['target-exists', 'not-noop'],
      steps: [
        { kind: 'patch', patchType: 'merge', template: { spec: { replicas: '{{ params.replicas }}' } } },
      ],
      wait: { rollout: true, timeoutSeconds: 600 },
      rollback: 'restore',
    });
    expect(catalog.get('rollback')?.steps).toEqual([{ kind: 'rollback-template' }]);
    expect(catalog.get('delete-pod')?.steps).toEqual([{ kind: 'delete-pod' }]);
    expect(catalog.get('cordon-node')?.steps).toEqual([{ kind: 'cordon' }]);
    expect(catalog.get('escalate')).toMatchObject({ steps: [], targetKinds: [], wait: null });
    expect(catalog.get('set-resources')?.verify).toContainEqual({
      signal: 'oom_kills_total',
      promql: null,
      condition: 'not-increasing',
      threshold: null,
      windowSeconds: 300,
    });
    expect(catalog.get('no-such-playbook')).toBeUndefined();
  });
});

describe('checkParams', () => {
  it('accepts valid parameters and names each bad one', async () => {
    const catalog = await loadCatalog(defaultPlaybookDir());
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.memory': '1Gi' })).toEqual([]);
    expect(catalog.checkParams('scale', { replicas: 3 })).toEqual([]);
    expect(catalog.checkParams('set-resources', { container: 'app' })).toEqual([
      'params: needs at least one of requests.cpu, requests.memory, limits.cpu, limits.memory',
    ]);
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.memory': '500m' })).toEqual([
      expect.stringMatching(/^limits\.memory: "500m" does not match/),
    ]);
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.cpu': '2Gi' })[0]).toMatch(
      /^limits\.cpu: /,
    );
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.cpu': 1.5 })).toEqual([]);
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.cpu': 500 })).toEqual([
      'limits.cpu: must be <= 64',
    ]);
    expect(catalog.checkParams('set-resources', { container: 'app', 'limits.memory': '0' })).toEqual([
      'limits.memory: must be above zero',
    ]);
    expect(
      catalog.checkParams('set-resources', {
        container: 'app',
        'requests.memory': '2Gi',
        'limits.memory': '1536Mi',
      }),
    ).toEqual(['requests.memory: 2Gi is above limits.memory 1536Mi']);
    expect(
      catalog.checkParams('set-resources', { container: 'app', 'requests.cpu': '250m', 'limits.cpu': 1 }),
    ).toEqual([]);
    expect(catalog.checkParams('scale', {})).toEqual(['replicas: is required']);
    expect(catalog.checkParams('scale', { replicas: 0 })).toEqual(['replicas: must be >= 1']);
    expect(catalog.checkParams('scale', { replicas: '3' })).toEqual(['replicas: must be integer']);
    expect(catalog.checkParams('scale', { replicas: 3, namespace: 'kube-system' })).toEqual([
      'namespace: is not a parameter of this playbook',
    ]);
    expect(catalog.checkParams('set-probe', { container: 'app', probe: 'startup' })).toEqual([
      'params: needs at least one of initialDelaySeconds, timeoutSeconds, periodSeconds, failureThreshold',
    ]);
    expect(
      catalog.checkParams('set-probe', { container: 'app', probe: 'exec', periodSeconds: 5 })[0],
    ).toMatch(/^probe: /);
    expect(catalog.checkParams('set-hpa-bounds', { minReplicas: 5, maxReplicas: 3 })).toEqual([
      'minReplicas: must be <= 3',
    ]);
    expect(catalog.checkParams('escalate', {})).toEqual([]);
    expect(catalog.checkParams('escalate', { replicas: 1 })).toEqual([
      'replicas: is not a parameter of this playbook',
    ]);
    expect(catalog.checkParams('reboot-cluster', {})).toEqual([
      'playbook: unknown playbook "reboot-cluster"',
    ]);
  });
});

describe('bad playbook files', () => {
  it('are all rejected together, each with file, path and problem', async () => {
    const problems = await problemsOf(loadCatalog(BAD, { requiredIds: [] }));
    const expected = [
      /^test\/fixtures\/playbooks-bad\/bad-yaml\.yaml: line \d+, column \d+: not valid YAML: /,
      /^test\/fixtures\/playbooks-bad\/duplicate-b\.yaml: id: duplicate id "duplicate" \(also in test\/fixtures\/playbooks-bad\/duplicate-a\.yaml\)$/,
      /^test\/fixtures\/playbooks-bad\/invalid-params-schema\.yaml: params: invalid JSON Schema: .*"maximun"/,
      /^test\/fixtures\/playbooks-bad\/missing-id\.yaml: id: is required$/,
      /^test\/fixtures\/playbooks-bad\/unknown-field\.yaml: retries: unknown field$/,
      /^test\/fixtures\/playbooks-bad\/unknown-patch-type\.yaml: steps\[0\]\.patch\.type: must be one of strategic-merge, merge, json$/,
      /^test\/fixtures\/playbooks-bad\/unknown-placeholder\.yaml: steps\[0\]\.patch\.template\.spec\.replicas: unknown placeholder \{\{ params\.replica \}\}$/,
      /^test\/fixtures\/playbooks-bad\/unknown-placeholder\.yaml: steps\[0\]\.patch\.template\.spec\.paused: unknown placeholder \{\{ process\.exit\(1\) \}\}$/,
    ];
    for (const pattern of expected) expect(problems).toContainEqual(expect.stringMatching(pattern));
    expect(problems).toHaveLength(expected.length);
  });

  it('a folder missing a CONTRACTS.md id is refused, naming the id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medic-playbooks-'));
    try {
      await cp(defaultPlaybookDir(), dir, {
        recursive: true,
        filter: (source) => !source.endsWith('rollback.yaml'),
      });
      const problems = await problemsOf(loadCatalog(dir));
      expect(problems).toEqual([`${dir}: no playbook with id "rollback" (CONTRACTS.md requires it)`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a folder that cannot be read is refused', async () => {
    const problems = await problemsOf(loadCatalog(join(tmpdir(), 'medic-no-such-playbook-dir')));
    expect(problems[0]).toMatch(/cannot be read/);
  });
});
