import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

/** The repository root, so children run with the same node_modules and relative paths as `npx medic`. */
export const root = resolve(import.meta.dirname, '../..');
export const slowWorker = join(root, 'test/fixtures/slow-worker.ts');
export const medicBin = join(root, 'bin/medic.js');

export interface ChildSetup {
  dataDir: string;
  configFile: string;
  prefix: string;
}

/** A data directory holding a medic.yaml with its own Redis prefix; `config` is merged over the defaults. */
export function childSetup(config: Record<string, unknown> = {}): ChildSetup {
  const dataDir = mkdtempSync(join(tmpdir(), 'medic-child-'));
  const configFile = join(dataDir, 'medic.yaml');
  const prefix = `c${randomBytes(4).toString('hex')}`;
  writeFileSync(
    configFile,
    stringify({ server: { host: '127.0.0.1' }, redis: { prefix }, log: { level: 'warn' }, ...config }),
  );
  return { dataDir, configFile, prefix };
}

export interface Child {
  process: ChildProcess;
  /** Everything the child wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Resolves with the exit code and signal once the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `command args...` in the repository root with the given environment on top of this one's. */
export function spawnChild(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return {
    process: child,
    stderr: () => stderr,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Spawns `node [--import tsx] script args...` in the repository root. */
export function spawnNode(script: string, args: string[], env: Record<string, string>, tsx = false): Child {
  return spawnChild(process.execPath, [...(tsx ? ['--import', 'tsx'] : []), script, ...args], env);
}

/** The child's exit, or an error naming what it printed if it is still running after `timeoutMs`. */
export async function exitWithin(
  child: Child,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${timeoutMs} ms; stderr:\n${child.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
