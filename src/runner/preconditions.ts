import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { Playbook } from '../domain/playbook.js';

export interface PreconditionContext {
  /** The live target; null when it was not found. */
  object: KubeObject | null;
  params: Record<string, unknown>;
}

function describe(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind ?? 'object'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Container names from a workload's pod template or a Pod's own spec. */
function containerNames(object: KubeObject): string[] {
  const template = object.spec?.['template'] as { spec?: { containers?: unknown } } | undefined;
  const containers = template?.spec?.containers ?? object.spec?.['containers'];
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container: { name?: unknown }) =>
    typeof container?.name === 'string' ? [container.name] : [],
  );
}

/**
 * The playbook's preconditions that do not hold, one sentence each; empty when all hold. `not-noop` is left
 * to the guard, which sees the dry-run diff.
 */
export function checkPreconditions(playbook: Playbook, context: PreconditionContext): string[] {
  const { object, params } = context;
  if (!object) {
    return playbook.preconditions.includes('target-exists') ? ['the target does not exist'] : [];
  }
  const problems: string[] = [];
  for (const check of playbook.preconditions) {
    if (check === 'container-exists') {
      const names = containerNames(object);
      const wanted = params['container'];
      if (typeof wanted !== 'string' || !names.includes(wanted)) {
        problems.push(
          `container ${JSON.stringify(wanted)} is not in ${describe(object)} (containers: ${names.join(', ') || 'none'})`,
        );
      }
    } else if (check === 'not-paused' && object.kind === 'Deployment' && object.spec?.['paused'] === true) {
      problems.push(`${describe(object)} is paused; resume it before changing its rollout`);
    }
  }
  return problems;
}
