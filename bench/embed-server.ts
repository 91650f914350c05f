// all-MiniLM-L6-v2 behind scripts/embed-server.py (OpenAI-compatible /v1/embeddings), for bench:embed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..');

export interface EmbedServer {
  /** Up to and including `/v1`. */
  baseURL: string;
  close(): Promise<void>;
}

/** The venv python from scripts/setup-embed.sh (creates the venv on first use; its last stdout line). */
function venvPython(): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'setup-embed.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const python = out.trim().split('\n').at(-1);
  if (!python) throw new Error('scripts/setup-embed.sh printed no python path');
  return python;
}

export async function startEmbedServer(): Promise<EmbedServer> {
  const child: ChildProcess = spawn(venvPython(), [join(ROOT, 'scripts', 'embed-server.py')], {
    env: { ...process.env, MEDIC_EMBED_PORT: '0', HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const baseURL = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`embed server did not start in 60 s: ${stderr}`)), 60_000);
    child.once('exit', (code) => fail(new Error(`embed server exited ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        ok(`${match[1]}/v1`);
      }
    });
  });
  return {
    baseURL,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
