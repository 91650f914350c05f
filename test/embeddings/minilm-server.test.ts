import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiEmbedder } from '../../src/adapters/embeddings/openai.js';
import { cosine } from '../../src/domain/memory/hashing-embedder.js';

const venv = join(process.env['MEDIC_CACHE'] ?? join(homedir(), '.cache', 'medic'), 'embed-venv');
const python = join(venv, 'bin', 'python');
const ready = existsSync(join(venv, '.medic-embed-v1')) && existsSync(python);
const script = resolve(import.meta.dirname, '../../scripts/embed-server.py');

if (!ready) {
  console.warn(`skipping MiniLM server tests: no embed venv at ${venv}; run scripts/setup-embed.sh first`);
}

async function startServer(): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = spawn(python, [script], {
    env: { ...process.env, MEDIC_EMBED_PORT: '0', HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
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
  return { child, baseURL };
}

describe.skipIf(!ready)(
  'all-MiniLM-L6-v2 through scripts/embed-server.py (needs scripts/setup-embed.sh)',
  () => {
    let server: { child: ChildProcess; baseURL: string };
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(() => {
      server?.child.kill('SIGTERM');
    });

    it('answers the OpenAI embeddings shape with float vectors', async () => {
      const response = await fetch(`${server.baseURL}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'pod OOMKilled', model: 'all-MiniLM-L6-v2' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        object: string;
        data: { object: string; index: number; embedding: number[] }[];
        model: string;
        usage: { prompt_tokens: number; total_tokens: number };
      };
      expect(body.object).toBe('list');
      expect(body.model).toBe('all-MiniLM-L6-v2');
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject({ object: 'embedding', index: 0 });
      expect(body.data[0]?.embedding).toHaveLength(384);
      expect(body.usage.prompt_tokens).toBeGreaterThan(2);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);

      const bad = await fetch(`${server.baseURL}/embeddings`, { method: 'POST', body: '{"input": 3}' });
      expect(bad.status).toBe(400);
    });

    it('gives 384-d unit vectors through OpenAIEmbeddings, a paraphrase nearer than an unrelated sentence', async () => {
      const embedder = createOpenAiEmbedder({
        model: 'all-MiniLM-L6-v2',
        baseURL: server.baseURL,
        batchSize: 2,
      });
      const [anchor, paraphrase, unrelated, again] = await embedder.embed([
        'The checkout pod was killed because it ran out of memory.',
        'Container checkout exceeded its memory limit and was OOM killed.',
        'The TLS certificate for the public ingress expired yesterday.',
        'The checkout pod was killed because it ran out of memory.',
      ]);
      if (!anchor || !paraphrase || !unrelated || !again) throw new Error('missing vectors');
      expect(embedder.dimension).toBe(384);
      for (const v of [anchor, paraphrase, unrelated]) {
        expect(v).toHaveLength(384);
        expect(cosine(v, v)).toBeCloseTo(1, 5);
        expect(Math.hypot(...v)).toBeCloseTo(1, 4);
      }
      // Padding in a batch must not change a text's vector.
      expect(cosine(anchor, again)).toBeCloseTo(1, 5);
      const near = cosine(anchor, paraphrase);
      const far = cosine(anchor, unrelated);
      expect(near).toBeGreaterThan(far + 0.2);
    });
  },
);
