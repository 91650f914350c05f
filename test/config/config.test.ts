import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configSchema, envBindings } from '../../src/config/schema.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'medic-config-')), 'medic.yaml');
  writeFileSync(path, text);
  return path;
}

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as { code: string }).code).toBe('MEDIC_E_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('configuration', () => {
  it('has safe defaults with no file and no env', () => {
    const config = loadConfig({ env: {}, file: file('') });
    expect(config.server.port).toBe(8080);
    expect(config.server.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.database.url).toBeUndefined();
    expect(config.correlation.workloadLabels.job).toEqual(['job_name']);
  });

  it('lets env vars override the file', () => {
    const path = file('server:\n  port: 9000\nredis:\n  url: redis://file:6379\n');
    const config = loadConfig({ env: { PORT: '9100', MEDIC_WEBHOOK_TOKEN: 'abc' }, file: path });
    expect(config.server.port).toBe(9100);
    expect(config.server.webhookToken).toBe('abc');
    expect(config.redis.url).toBe('redis://file:6379');
  });

  it('names an unknown key', () => {
    expect(problem(() => loadConfig({ env: {}, file: file('ingest:\n  maxBaklog: 5\n') }))).toMatch(
      /ingest.*maxBaklog/,
    );
  });

  it('names a wrong type', () => {
    expect(problem(() => loadConfig({ env: {}, file: file('queue:\n  attempts: lots\n') }))).toMatch(
      /queue\.attempts/,
    );
  });

  it('names a bad URL and the env var it came from', () => {
    const message = problem(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' }, file: file('') }));
    expect(message).toMatch(/database\.url \(from DATABASE_URL\)/);
    expect(problem(() => loadConfig({ env: { PROMETHEUS_URL: 'not a url' }, file: file('') }))).toMatch(
      /prometheus\.url/,
    );
    expect(problem(() => loadConfig({ env: { PORT: 'eighty' }, file: file('') }))).toMatch(/PORT/);
  });

  it('rejects a file that is not YAML or not a mapping', () => {
    expect(problem(() => loadConfig({ env: {}, file: file('server: [unclosed\n') }))).toMatch(
      /not valid YAML/,
    );
    expect(problem(() => loadConfig({ env: {}, file: file('- a\n- b\n') }))).toMatch(/mapping/);
  });

  it('accepts medic.example.yaml as shipped, and it documents every key and env var', () => {
    const examplePath = join(import.meta.dirname, '../../medic.example.yaml');
    const config = loadConfig({ env: {}, file: examplePath });
    expect(config).toEqual(loadConfig({ env: {}, file: file('') }));
    const text = readFileSync(examplePath, 'utf8');
    const keys = (schema: unknown): string[] => {
      let node = schema as { def: { innerType?: unknown }; shape?: Record<string, unknown> };
      while (!node.shape && node.def.innerType) node = node.def.innerType as typeof node;
      return node.shape ? Object.entries(node.shape).flatMap(([key, child]) => [key, ...keys(child)]) : [];
    };
    const all = keys(configSchema);
    expect(all).toContain('webhookToken');
    expect(all).toContain('deployment');
    for (const key of all) expect(text).toContain(`${key}:`);
    for (const binding of envBindings) expect(text).toContain(`[${binding.env}]`);
  });
});
