import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { IPolicy } from 'cockatiel';
import type { Draft, DraftAttempt, DrafterIdentity, TokenUsage } from '../../domain/draft.js';
import { addUsage } from '../../domain/draft.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Drafter, DrafterAnswer, DraftInput } from '../../ports/drafter.js';
import { answerText, boundRaw, draftWireSchemaFor, parseAnswer, tokensOf } from './answer.js';
import { type PriceTable, priced } from './pricing.js';
import { type PromptTemplates, renderTemplate } from './prompts.js';
import {
  CallTimeoutError,
  createModelPolicy,
  defaultResilience,
  isBreakerOpen,
  type ResilienceOptions,
} from './resilience.js';

export type StructuredOutputMethod = 'jsonSchema' | 'functionCalling' | 'jsonMode';

export type LlmCallOutcome = 'ok' | 'invalid' | 'error' | 'timeout';

/** One HTTP call to the model, for metrics. */
export interface LlmCallRecord {
  model: string;
  ms: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: LlmCallOutcome;
}

export interface LlmDrafterOptions {
  model: BaseChatModel;
  /** The model id as priced and reported, e.g. "gpt-4o-mini" or "gemma-3-270m". */
  modelName: string;
  /** Prefix of the drafter's name, e.g. "openai". */
  provider: string;
  templates: PromptTemplates;
  /** Values for the templates' placeholders; untrusted text must arrive fenced (see drafting/untrusted.ts). */
  promptContext: (input: DraftInput) => Record<string, string>;
  /** Problems with a parsed draft against the catalog and the incident's scope (drafting/validate.ts). */
  validate: (draft: Draft, input: DraftInput) => string[];
  /** llama.cpp's server refuses jsonSchema (HTTP 500): use functionCalling or jsonMode there. */
  method?: StructuredOutputMethod;
  /** For chat formats that drop system messages (llama.cpp's gemma): instructions go into the user turn. */
  instructionsInUserMessage?: boolean;
  timeoutMs?: number;
  resilience?: Partial<ResilienceOptions>;
  prices?: PriceTable;
  onCall?: (call: LlmCallRecord) => void;
}

interface CallResult {
  text: string;
  parsed: unknown;
  usage: TokenUsage | null;
  ms: number;
}

const neutralise = (text: string): string => text.replace(/<{3,}|>{3,}/g, (run) => run.split('').join(' '));

/** Drafts through any LangChain chat model with structured output, one repair round, retries and a breaker. */
export class LlmDrafter implements Drafter {
  readonly identity: DrafterIdentity;
  private readonly options: LlmDrafterOptions;
  private readonly policy: IPolicy;
  private readonly timeoutMs: number;

  constructor(options: LlmDrafterOptions) {
    this.options = options;
    this.identity = {
      kind: 'llm',
      name: `${options.provider}:${options.modelName}`,
      promptVersion: options.templates.version,
    };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = createModelPolicy({ ...defaultResilience, ...options.resilience });
  }

  async draft(input: DraftInput, signal?: AbortSignal): Promise<DrafterAnswer> {
    const { templates } = this.options;
    const context = this.options.promptContext(input);
    const system = renderTemplate(templates.system, context);
    const user = renderTemplate(templates.user, context);
    const messages: BaseMessage[] = this.options.instructionsInUserMessage
      ? [new HumanMessage(`${system}\n\n${user}`)]
      : [new SystemMessage(system), new HumanMessage(user)];
    const schema = draftWireSchemaFor(input.catalog.list());
    const attempts: DraftAttempt[] = [];
    let usage: TokenUsage | null = null;

    for (let round = 0; round < 2; round += 1) {
      const result = await this.call(messages, schema, attempts, signal);
      usage = addUsage(usage, result.usage);
      const answer = parseAnswer(result.parsed, result.text);
      const problems = 'draft' in answer ? this.options.validate(answer.draft, input) : answer.problems;
      attempts.push({
        drafter: this.identity.name,
        ok: problems.length === 0,
        error: problems.length > 0 ? problems.join(' ') : null,
        raw: boundRaw(result.text),
        ms: result.ms,
        usage: result.usage,
      });
      this.report(result, problems.length === 0 ? 'ok' : 'invalid');
      if ('draft' in answer && problems.length === 0) {
        return { draft: answer.draft, identity: this.identity, attempts, usage };
      }
      const repair = renderTemplate(templates.repair, {
        problems: problems.map((p) => `- ${neutralise(p).slice(0, 500)}`).join('\n'),
        previous: neutralise(boundRaw(result.text)),
      });
      messages.push(new HumanMessage(repair));
    }
    throw new MedicError(ErrorCodes.invalidDraft, 'the model answered twice without a valid draft', {
      attempts,
      usage,
    });
  }

  /** One structured-output call under the retry and breaker policy; each failed try is recorded. */
  private async call(
    messages: BaseMessage[],
    schema: Record<string, unknown>,
    attempts: DraftAttempt[],
    signal?: AbortSignal,
  ): Promise<CallResult> {
    const structured = this.options.model.withStructuredOutput(schema, {
      name: 'draft',
      method: this.options.method ?? 'functionCalling',
      includeRaw: true,
    });
    try {
      return await this.policy.execute(async ({ signal: policySignal }) => {
        const started = performance.now();
        const timeout = AbortSignal.timeout(this.timeoutMs);
        try {
          const { raw, parsed } = await structured.invoke(messages, {
            signal: AbortSignal.any([policySignal, timeout]),
          });
          const tokens = tokensOf(raw);
          return {
            text: answerText(raw),
            parsed,
            usage: tokens
              ? priced(this.options.modelName, tokens.input, tokens.output, this.options.prices ?? {})
              : null,
            ms: Math.round(performance.now() - started),
          };
        } catch (error) {
          const failure =
            timeout.aborted && !policySignal.aborted ? new CallTimeoutError(this.timeoutMs) : error;
          const ms = Math.round(performance.now() - started);
          attempts.push({
            drafter: this.identity.name,
            ok: false,
            error: errorText(failure),
            raw: null,
            ms,
            usage: null,
          });
          this.report(
            { text: '', parsed: null, usage: null, ms },
            failure instanceof CallTimeoutError ? 'timeout' : 'error',
          );
          throw failure;
        }
      }, signal);
    } catch (error) {
      const reason = isBreakerOpen(error) ? 'circuit breaker open' : errorText(error);
      if (isBreakerOpen(error)) {
        attempts.push({
          drafter: this.identity.name,
          ok: false,
          error: reason,
          raw: null,
          ms: 0,
          usage: null,
        });
      }
      throw new MedicError(
        ErrorCodes.drafterUnavailable,
        `${this.identity.name} unavailable: ${reason}`,
        { attempts },
        { cause: error },
      );
    }
  }

  private report(result: CallResult, outcome: LlmCallOutcome): void {
    this.options.onCall?.({
      model: this.options.modelName,
      ms: result.ms,
      inputTokens: result.usage?.inputTokens ?? 0,
      outputTokens: result.usage?.outputTokens ?? 0,
      costUsd: result.usage?.costUsd ?? 0,
      outcome,
    });
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return boundRawError(`${typeof status === 'number' ? `HTTP ${status}: ` : ''}${error.message}`);
  }
  return boundRawError(String(error));
}

function boundRawError(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 500)}…`;
}
