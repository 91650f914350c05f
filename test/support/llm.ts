import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnGuarded } from './control-plane.js';
import { freePort } from './ports.js';

/**
 * A real small LLM (Gemma 3 270M, Q4_K_M GGUF) behind llama-cpp-python's OpenAI-compatible server,
 * on a free loopback port. Installed once by scripts/setup-llm.sh into ${MEDIC_CACHE:-~/.cache/medic}.
 *
 * The server speaks /v1/models, /v1/completions, /v1/chat/completions, /v1/embeddings. Structured
 * output (llama-cpp-python 0.3.36) is a grammar built from a JSON schema, in two forms:
 *   - `response_format: {type: 'json_object', schema: {...}}` (without `schema`: any JSON object);
 *   - `tools: [{type: 'function', function: {name, parameters: schema}}]` with
 *     `tool_choice: {type: 'function', function: {name}}` (answer in message.tool_calls[0].function.arguments).
 * OpenAI's `response_format: {type: 'json_schema', json_schema: {...}}` is NOT accepted (HTTP 500,
 * "Input should be 'text' or 'json_object'").
 *
 * The model is the base (pretrained, not instruction-tuned) Gemma 3 270M and its GGUF has no chat
 * template, so the server runs with `--chat_format gemma` (<start_of_turn>user/model turns), which
 * drops `system` messages: put instructions in the user message. Free text from it is poor; output
 * constrained by a schema is always well-formed, but its choices are those of a 270M base model.
 */

/** Must match scripts/setup-llm.sh. */
export const LLAMA_CPP_PYTHON_VERSION = '0.3.36';
export const LLM_MODEL_FILE = 'gemma-3-270m-q4_k_m.gguf';
/** The name the server reports in /v1/models and accepts as `model`. */
export const LLM_MODEL_ALIAS = 'gemma-3-270m';

function cacheDir(): string {
  return process.env['MEDIC_CACHE'] ?? join(homedir(), '.cache', 'medic');
}

/** The venv's python: MEDIC_LLM_PYTHON, else ${MEDIC_CACHE:-~/.cache/medic}/llm-venv/bin/python. */
export function llmPython(): string {
  return process.env['MEDIC_LLM_PYTHON'] ?? join(cacheDir(), 'llm-venv', 'bin', 'python');
}

/** The GGUF: MEDIC_TEST_LLM_GGUF, else llm-venv/MODEL_PATH as written by setup-llm.sh, else the default. */
export function llmModelPath(): string {
  const override = process.env['MEDIC_TEST_LLM_GGUF'];
  if (override) return override;
  const recorded = join(cacheDir(), 'llm-venv', 'MODEL_PATH');
  if (existsSync(recorded)) {
    const path = readFileSync(recorded, 'utf8').trim();
    if (path) return path;
  }
  return join(cacheDir(), 'llm-model', LLM_MODEL_FILE);
}

/** The installed llama_cpp package, checked without starting python. */
function llamaCppPackage(): string {
  const venv = dirname(dirname(llmPython()));
  return join(venv, 'lib', 'python3.11', 'site-packages', 'llama_cpp', 'server', '__main__.py');
}

/** True when scripts/setup-llm.sh has run: the venv has llama_cpp.server and the GGUF exists. */
export function llmAvailable(): boolean {
  const python = llmPython();
  if (!existsSync(python) || !existsSync(llmModelPath())) return false;
  // MEDIC_LLM_PYTHON may point at any python; only the default venv layout is checked further.
  return process.env['MEDIC_LLM_PYTHON'] ? true : existsSync(llamaCppPackage());
}

/** A reason to print when skipping, e.g. `it.skipIf(!llmAvailable())`. */
export function llmSkipReason(): string {
  return (
    `llama-cpp-python server or model not found (python ${llmPython()}, model ${llmModelPath()}); ` +
    'run: bash scripts/setup-llm.sh, or set MEDIC_LLM_PYTHON and MEDIC_TEST_LLM_GGUF'
  );
}

export interface LlmServer {
  /** OpenAI-style base URL, including /v1: `${baseURL}/chat/completions`. */
  baseURL: string;
  /** The model id to send (`model` field); the server serves only this one. */
  model: string;
  /** The server's stdout+stderr, for debugging a failed test. */
  log: string;
  stop(): Promise<void>;
}

export interface LlmServerOptions {
  /** Context window (tokens). Default 4096. */
  nCtx?: number;
  /** CPU threads for generation and prompt processing. Default 2. */
  nThreads?: number;
  /** llama-cpp-python chat format. Default 'gemma' (the GGUF has no chat template of its own). */
  chatFormat?: string;
  /** How long to wait for GET /v1/models (model load is ~1 s; first start of python ~2 s). */
  startTimeoutMs?: number;
  /** Extra `python -m llama_cpp.server` flags, e.g. ['--seed', '1']. */
  extraArgs?: string[];
}

/**
 * Starts `python -m llama_cpp.server` on a free loopback port under the watchdog of spawnGuarded (its
 * own process group; killed when the test worker dies), and waits until GET /v1/models answers.
 */
export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  if (!llmAvailable()) throw new Error(llmSkipReason());
  const dir = mkdtempSync(join(tmpdir(), 'medic-llm-'));
  const log = join(dir, 'llm-server.log');
  const port = await freePort();
  const child = spawnGuarded(
    llmPython(),
    [
      '-m',
      'llama_cpp.server',
      '--model',
      llmModelPath(),
      '--model_alias',
      LLM_MODEL_ALIAS,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--n_ctx',
      String(options.nCtx ?? 4096),
      '--n_threads',
      String(options.nThreads ?? 2),
      '--n_threads_batch',
      String(options.nThreads ?? 2),
      '--chat_format',
      options.chatFormat ?? 'gemma',
      '--verbose',
      'false',
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: dir,
      logFile: log,
      env: {
        ...process.env,
        PYTHONUNBUFFERED: '1',
        OMP_NUM_THREADS: String(options.nThreads ?? 2),
        // llama.cpp is built with OpenMP, whose threads spin at barriers: with 2 threads on 2 cores
        // that other test workers also use, one call took 10-50 s instead of ~1 s. Passive waiting
        // keeps it at 1.5-3 s under full CPU contention.
        OMP_WAIT_POLICY: 'PASSIVE',
      },
    },
  );
  const stop = async (): Promise<void> => {
    await child.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };

  const baseURL = `http://127.0.0.1:${port}/v1`;
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    let ready = false;
    let lastError: unknown;
    while (!ready && Date.now() < deadline) {
      // Fail at once, not at the timeout, when the process exits.
      if (child.exitCode() !== undefined)
        throw new Error(`llama_cpp.server exited (code ${child.exitCode()})`);
      try {
        const res = await fetch(`${baseURL}/models`);
        ready = res.ok && ((await res.json()) as { data?: unknown[] }).data !== undefined;
      } catch (error) {
        lastError = error;
      }
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ready) {
      throw new Error(
        `timed out waiting for llama_cpp.server${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
  } catch (error) {
    const tailText = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
    await stop();
    throw new Error(`${(error as Error).message}\n${tailText}`);
  }

  return { baseURL, model: LLM_MODEL_ALIAS, log, stop };
}
