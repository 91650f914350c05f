import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '../../src/adapters/langchain/llm-drafter.js';
import { ErrorCodes, type MedicError } from '../../src/domain/errors.js';
import { answer, failure, type OpenAiTestServer, startOpenAiServer } from '../support/openai-server.js';
import { restartDraft, testInput } from './llm-fixtures.js';
import { openAiDrafter } from './llm-helpers.js';

let server: OpenAiTestServer;

beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

async function rejection(promise: Promise<unknown>): Promise<MedicError> {
  try {
    await promise;
  } catch (error) {
    return error as MedicError;
  }
  throw new Error('expected the drafter to fail');
}

describe('LlmDrafter through ChatOpenAI against an OpenAI-compatible server', () => {
  it('returns a valid draft from a forced tool call, with tokens and cost from usage', async () => {
    const calls: LlmCallRecord[] = [];
    const drafter = await openAiDrafter(server.baseURL, { onCall: (call) => calls.push(call) });
    server.script(answer(restartDraft(), { prompt_tokens: 1000, completion_tokens: 250 }));

    const result = await drafter.draft(testInput());

    expect(result.draft).toEqual(restartDraft());
    expect(result.identity).toMatchObject({ kind: 'llm', name: 'openai:test-model' });
    expect(result.identity.promptVersion).toMatch(/^prompts-[0-9a-f]{12}$/);
    // 1000 × $2/MTok + 250 × $8/MTok
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 250, costUsd: 0.004 });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ ok: true, error: null, usage: result.usage });
    expect(JSON.parse(result.attempts[0]?.raw ?? '')).toEqual(restartDraft());
    expect(calls).toEqual([
      {
        model: 'test-model',
        ms: expect.any(Number),
        inputTokens: 1000,
        outputTokens: 250,
        costUsd: 0.004,
        outcome: 'ok',
      },
    ]);

    const request = server.requests[0]?.body;
    expect(request?.tool_choice).toEqual({ type: 'function', function: { name: 'draft' } });
    expect(request?.tools?.[0]?.function.name).toBe('draft');
    const parameters = request?.tools?.[0]?.function.parameters as { properties: Record<string, unknown> };
    expect(parameters.properties['playbook']).toEqual({
      type: 'string',
      enum: ['rollout-restart', 'scale', 'delete-pod', 'set-hpa-bounds', 'cordon-node', 'escalate', 'none'],
    });
    expect((parameters.properties['params'] as { anyOf: unknown[] }).anyOf).toContainEqual({
      type: 'object',
      additionalProperties: false,
      required: ['replicas'],
      properties: { replicas: { type: 'integer', minimum: 1, maximum: 50 } },
    });
    // llama.cpp compiles maxLength into nested grammar rules and crashes on 2000 of them.
    expect(JSON.stringify(parameters)).not.toMatch(/maxLength|minLength|maxItems/);
    expect(request?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request?.messages[0]?.content).toContain('- id: rollout-restart');
    expect(request?.messages[0]?.content).toContain('"replicas":{"type":"integer","minimum":1,"maximum":50}');
  });

  it('sends JSON mode when asked and parses the content', async () => {
    const drafter = await openAiDrafter(server.baseURL, { method: 'jsonMode' });
    server.script(answer(restartDraft()));
    const result = await drafter.draft(testInput());
    expect(result.draft.playbook).toBe('rollout-restart');
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
    expect(server.requests[0]?.body.tools).toBeUndefined();
  });

  it('repairs an invalid draft once, quoting the problem, and sums usage', async () => {
    const drafter = await openAiDrafter(server.baseURL);
    server.script(
      answer(restartDraft({ playbook: 'scale', params: { replicas: 0 } }), {
        prompt_tokens: 100,
        completion_tokens: 10,
      }),
      answer(restartDraft({ playbook: 'scale', params: { replicas: 4 } }), {
        prompt_tokens: 200,
        completion_tokens: 20,
      }),
    );

    const result = await drafter.draft(testInput());

    expect(result.draft.params).toEqual({ replicas: 4 });
    expect(result.attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(result.attempts[0]?.error).toContain('replicas: must be >= 1');
    expect(result.usage?.inputTokens).toBe(300);
    expect(result.usage?.outputTokens).toBe(30);
    const repair = server.requests[1]?.body.messages.at(-1);
    expect(repair?.role).toBe('user');
    expect(repair?.content).toContain('Your previous answer was refused');
    expect(repair?.content).toContain('replicas: must be >= 1');
  });

  it('repairs an answer that does not match the draft schema', async () => {
    const drafter = await openAiDrafter(server.baseURL);
    server.script(answer({ playbook: 'rollout-restart' }), answer(restartDraft()));
    const result = await drafter.draft(testInput());
    expect(result.attempts[0]?.error).toContain('Field diagnosis');
    expect(server.requests[1]?.body.messages.at(-1)?.content).toContain('Field diagnosis');
    expect(result.draft).toEqual(restartDraft());
  });

  it('gives up with invalidDraft after garbage twice, carrying both attempts', async () => {
    const drafter = await openAiDrafter(server.baseURL, { method: 'jsonMode' });
    server.script(answer('I think you should restart it'), answer('{"playbook": '));
    const error = await rejection(drafter.draft(testInput()));
    expect(error.code).toBe(ErrorCodes.invalidDraft);
    const attempts = error.details['attempts'] as Array<{ ok: boolean; error: string; raw: string }>;
    expect(attempts.map((a) => [a.ok, a.error, a.raw])).toEqual([
      [false, 'The answer was not a JSON object.', 'I think you should restart it'],
      [false, 'The answer was not a JSON object.', '{"playbook": '],
    ]);
  });

  it('repairs a playbook that does not exist, then gives up when the model insists', async () => {
    const drafter = await openAiDrafter(server.baseURL);
    server.script(
      answer(restartDraft({ playbook: 'reboot-cluster' })),
      answer(restartDraft({ playbook: 'reboot-cluster' })),
    );
    const error = await rejection(drafter.draft(testInput()));
    expect(error.code).toBe(ErrorCodes.invalidDraft);
    expect(server.requests[1]?.body.messages.at(-1)?.content).toContain(
      'Playbook "reboot-cluster" does not exist',
    );
  });

  it('refuses a target outside the incident namespace', async () => {
    const outside = restartDraft({
      target: { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
    });
    const drafter = await openAiDrafter(server.baseURL);
    server.script(answer(outside), answer(outside));
    const error = await rejection(drafter.draft(testInput()));
    expect(error.code).toBe(ErrorCodes.invalidDraft);
    const attempts = error.details['attempts'] as Array<{ error: string }>;
    expect(attempts[0]?.error).toContain(`outside the incident's namespace "shop"`);
  });

  it('bounds the raw answer kept for the audit trail', async () => {
    const drafter = await openAiDrafter(server.baseURL, { method: 'jsonMode' });
    server.script(answer('x'.repeat(20_000)), answer(restartDraft()));
    const result = await drafter.draft(testInput());
    expect(result.attempts[0]?.raw?.length).toBeLessThan(4200);
    expect(result.attempts[0]?.raw).toContain('characters cut');
    expect(server.requests[1]?.body.messages.at(-1)?.content?.length).toBeLessThan(6000);
  });
});

describe('LlmDrafter resilience', () => {
  it('retries a 429 (honouring Retry-After) and then succeeds', async () => {
    const calls: LlmCallRecord[] = [];
    const drafter = await openAiDrafter(server.baseURL, { onCall: (c) => calls.push(c) });
    server.script(failure(429, 'rate limited', { 'retry-after': '0' }), answer(restartDraft()));
    const result = await drafter.draft(testInput());
    expect(result.draft).toEqual(restartDraft());
    expect(server.requests).toHaveLength(2);
    expect(result.attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(result.attempts[0]?.error).toContain('HTTP 429');
    expect(calls.map((c) => c.outcome)).toEqual(['error', 'ok']);
  });

  it('does not retry a 400', async () => {
    const drafter = await openAiDrafter(server.baseURL);
    server.script(failure(400, 'bad request'), answer(restartDraft()));
    const error = await rejection(drafter.draft(testInput()));
    expect(error.code).toBe(ErrorCodes.drafterUnavailable);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow answer, retries, and reports unavailable', async () => {
    const calls: LlmCallRecord[] = [];
    const drafter = await openAiDrafter(server.baseURL, {
      timeoutMs: 150,
      resilience: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
      onCall: (c) => calls.push(c),
    });
    server.script(answer(restartDraft(), undefined, 2_000), answer(restartDraft(), undefined, 2_000));
    const error = await rejection(drafter.draft(testInput()));
    expect(error.code).toBe(ErrorCodes.drafterUnavailable);
    expect(error.message).toContain('timed out after 150 ms');
    expect(server.requests).toHaveLength(2);
    expect(calls.map((c) => c.outcome)).toEqual(['timeout', 'timeout']);
  });

  it('opens the breaker after repeated 500s and then fails fast without calling the server', async () => {
    const drafter = await openAiDrafter(server.baseURL, {
      resilience: {
        maxAttempts: 2,
        initialDelayMs: 1,
        maxDelayMs: 5,
        breakerThreshold: 2,
        halfOpenAfterMs: 60_000,
      },
    });
    for (let i = 0; i < 4; i += 1) server.script(failure(500, 'boom'));

    for (let i = 0; i < 2; i += 1) {
      const error = await rejection(drafter.draft(testInput()));
      expect(error.code).toBe(ErrorCodes.drafterUnavailable);
      expect(error.message).toContain('HTTP 500');
    }
    expect(server.requests).toHaveLength(4);

    server.script(answer(restartDraft()));
    const open = await rejection(drafter.draft(testInput()));
    expect(open.code).toBe(ErrorCodes.drafterUnavailable);
    expect(open.message).toContain('circuit breaker open');
    expect(server.requests).toHaveLength(4);
  });
});
