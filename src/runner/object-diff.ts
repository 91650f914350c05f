import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from '../domain/evidence/telemetry.js';

// Fields the API server rewrites on every write; showing them would bury the real change.
const NOISY_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp'];

/** The parts of an object an approver judges a change by: metadata labels/annotations and spec. */
export function comparableView(object: KubeObject | null): Record<string, unknown> {
  if (!object) return {};
  const metadata = Object.fromEntries(
    Object.entries(object.metadata).filter(([key]) => !NOISY_METADATA.includes(key)),
  );
  return { metadata, ...(object.spec ? { spec: object.spec } : {}) };
}

const asYaml = (object: KubeObject | null) =>
  object ? stringify(comparableView(object), { sortMapEntries: true, lineWidth: 0 }) : '';

/** Unified diff of the object as YAML, before → after; empty when nothing an approver sees changed. */
export function objectDiff(before: KubeObject | null, after: KubeObject | null, label: string): string {
  const from = asYaml(before);
  const to = asYaml(after);
  if (from === to) return '';
  return createTwoFilesPatch(`${label} (live)`, `${label} (after)`, from, to, undefined, undefined, {
    context: 3,
  });
}
