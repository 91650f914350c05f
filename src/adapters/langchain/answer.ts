import type { AIMessage, BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { type Draft, draftSchema } from '../../domain/draft.js';
import type { Playbook } from '../../domain/playbook.js';

const LENGTH_KEYWORDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', '$schema', '$id']);

function withoutLengths(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLengths);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !LENGTH_KEYWORDS.has(key))
      .map(([key, value]) => [key, withoutLengths(value)]),
  );
}

/**
 * The draft schema as sent to the model. Length limits are left out: llama.cpp turns `maxLength: 2000`
 * into a grammar of 2000 nested optionals, and its server crashes compiling it. The answer is still
 * checked against the full draftSchema (parseAnswer).
 */
export const draftWireSchema = withoutLengths(z.toJSONSchema(draftSchema)) as Record<string, unknown>;

/**
 * The wire schema for one catalog: `playbook` limited to its ids and `params` to one of its parameter
 * schemas, so a grammar-constrained model can neither invent a playbook nor ramble inside `params`.
 */
const GRAMMAR_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'items',
  'minimum',
  'maximum',
  'description',
]);

/**
 * A parameter schema reduced to what a grammar compiler handles: no `pattern` (llama.cpp expands `{0,61}`
 * into nested rules), no Ajv `$data`, no `anyOf`/`dependentSchemas` cross-field rules. The catalog's
 * full schema still checks the answer (validateDraft).
 */
function forGrammar(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forGrammar);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!GRAMMAR_KEYWORDS.has(key)) continue;
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, forGrammar(sub)]))
        : forGrammar(value);
  }
  return out;
}

export function draftWireSchemaFor(
  playbooks: ReadonlyArray<Pick<Playbook, 'id' | 'paramsSchema'>>,
): Record<string, unknown> {
  const schema = structuredClone(draftWireSchema);
  const properties = schema['properties'] as Record<string, unknown>;
  properties['playbook'] = { type: 'string', enum: playbooks.map((p) => p.id) };
  const paramSchemas = [...new Set(playbooks.map((p) => JSON.stringify(forGrammar(p.paramsSchema))))];
  if (paramSchemas.length > 0)
    properties['params'] = { anyOf: paramSchemas.map((text) => JSON.parse(text) as unknown) };
  return schema;
}

/** How much of a model's answer is kept for the audit trail. */
export const MAX_RAW_CHARS = 4096;

export function boundRaw(text: string): string {
  return text.length <= MAX_RAW_CHARS
    ? text
    : `${text.slice(0, MAX_RAW_CHARS)}… [${text.length - MAX_RAW_CHARS} characters cut]`;
}

/** The answer as text: the forced tool call's arguments, or the message content. */
export function answerText(raw: BaseMessage): string {
  const message = raw as AIMessage;
  const call = message.tool_calls?.[0];
  if (call) return JSON.stringify(call.args);
  const invalid = message.invalid_tool_calls?.[0];
  if (invalid?.args) return invalid.args;
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (typeof part === 'string' ? part : 'text' in part ? String(part.text) : ''))
    .join('');
}

export function tokensOf(raw: BaseMessage): { input: number; output: number } | null {
  const usage = (raw as { usage_metadata?: { input_tokens: number; output_tokens: number } }).usage_metadata;
  return usage ? { input: usage.input_tokens, output: usage.output_tokens } : null;
}

function stripCodeFence(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return match?.[1] ?? text;
}

/**
 * The draft in the answer, or why there is none. LangChain's parser drops its error when the answer
 * does not parse, so the answer is parsed again here to tell the model what was wrong.
 */
export function parseAnswer(parsed: unknown, text: string): { draft: Draft } | { problems: string[] } {
  let candidate: unknown = parsed;
  if (candidate === null || candidate === undefined) {
    try {
      candidate = JSON.parse(stripCodeFence(text));
    } catch {
      return { problems: ['The answer was not a JSON object.'] };
    }
  }
  const result = draftSchema.safeParse(candidate);
  if (result.success) return { draft: result.data };
  return {
    problems: result.error.issues.slice(0, 10).map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(answer)';
      return `Field ${path}: ${issue.message}.`;
    }),
  };
}
