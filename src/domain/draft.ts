import { z } from 'zod';
import type { ObjectRef } from './playbook.js';

/** Playbooks that change nothing in a cluster; they take no target. */
export const NON_ACTING_PLAYBOOKS: ReadonlySet<string> = new Set(['escalate', 'none']);

export const targetKinds = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'HorizontalPodAutoscaler',
  'Pod',
  'Node',
] as const;
export type TargetKind = (typeof targetKinds)[number];

export const targetSchema = z
  .object({
    kind: z.enum(targetKinds),
    namespace: z.string().min(1).max(63).optional(),
    name: z.string().min(1).max(253),
  })
  .strict();
export type Target = z.infer<typeof targetSchema>;

/** What every drafter produces: one playbook with parameters, never a patch. */
export const draftSchema = z
  .object({
    diagnosis: z.string().min(1).max(2000),
    confidence: z.number().min(0).max(1),
    playbook: z.string().min(1).max(64),
    target: targetSchema.nullable(),
    params: z.record(z.string(), z.unknown()),
    rationale: z.string().max(4000),
    evidence_refs: z.array(z.string().max(300)).max(20),
    risk_notes: z.array(z.string().max(500)).max(10),
  })
  .strict();
export type Draft = z.infer<typeof draftSchema>;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface DrafterIdentity {
  /** 'case' for the case-based drafter, 'llm' for a model through LangChain. */
  kind: 'case' | 'llm';
  /** e.g. "case-based-v1" or "openai:gemma-3-270m". */
  name: string;
  promptVersion: string | null;
}

/** One try at a draft: the model's answer (or the rule set's), and why it was refused if it was. */
export interface DraftAttempt {
  drafter: string;
  ok: boolean;
  /** Why the answer was refused: a validation error, a timeout, an upstream error. */
  error: string | null;
  /** The raw answer as text (bounded), so an auditor can see what the model said. */
  raw: string | null;
  ms: number;
  usage: TokenUsage | null;
}

/** A draft as stored with its incident and in the audit log. */
export interface DraftRecord {
  draft: Draft;
  drafter: DrafterIdentity;
  attempts: DraftAttempt[];
  /** Ids of the similar past incidents the drafter was shown. */
  similarUsed: string[];
  draftedAt: string;
  usage: TokenUsage | null;
  latencyMs: number;
}

export function escalationDraft(diagnosis: string, rationale: string, refs: string[] = []): Draft {
  return {
    diagnosis,
    confidence: 0,
    playbook: 'escalate',
    target: null,
    params: {},
    rationale,
    evidence_refs: refs,
    risk_notes: [],
  };
}

/** The target as an object reference (zod's optional namespace may hold undefined; references never do). */
export function refOf(target: Target): ObjectRef {
  return target.namespace === undefined
    ? { kind: target.kind, name: target.name }
    : { kind: target.kind, namespace: target.namespace, name: target.name };
}

/** Sums token usage across attempts; null when neither side used a model. */
export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (!a) return b;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
