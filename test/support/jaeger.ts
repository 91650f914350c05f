import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGuarded } from './control-plane.js';
import { freePort } from './ports.js';

/**
 * A real Jaeger all-in-one (collector + query, in-memory storage) built from source by
 * scripts/build-jaeger.sh, on free loopback ports.
 */

/** Must match scripts/build-jaeger.sh. */
export const JAEGER_VERSION = '1.76';

/** The binary: MEDIC_JAEGER_BIN (a file), else ${MEDIC_CACHE:-~/.cache/medic}/jaeger/<version>/bin/. */
export function jaegerBinary(): string {
  const override = process.env['MEDIC_JAEGER_BIN'];
  if (override) return override;
  const cache = process.env['MEDIC_CACHE'] ?? join(homedir(), '.cache', 'medic');
  return join(cache, 'jaeger', JAEGER_VERSION, 'bin', 'jaeger-all-in-one');
}

export function jaegerAvailable(): boolean {
  return existsSync(jaegerBinary());
}

export function jaegerSkipReason(): string {
  return `jaeger binary not found at ${jaegerBinary()} (run: bash scripts/build-jaeger.sh, or set MEDIC_JAEGER_BIN)`;
}

export interface Jaeger {
  /** OTLP/HTTP receiver base URL (the :4318 equivalent); POST traces to `${otlpHttpUrl}/v1/traces`. */
  otlpHttpUrl: string;
  /** OTLP/gRPC receiver address host:port (the :4317 equivalent). */
  otlpGrpcAddress: string;
  /** Query service base URL (the :16686 equivalent): `${queryUrl}/api/traces?service=…`. */
  queryUrl: string;
  /** Admin/health URL (the :14269 equivalent). */
  adminUrl: string;
  log: string;
  stop(): Promise<void>;
}

export async function startJaeger(options: { startTimeoutMs?: number } = {}): Promise<Jaeger> {
  if (!jaegerAvailable()) throw new Error(jaegerSkipReason());
  const dir = mkdtempSync(join(tmpdir(), 'medic-jaeger-'));
  const log = join(dir, 'jaeger.log');
  const [otlpHttp, otlpGrpc, query, queryGrpc, admin, collectorHttp, collectorGrpc] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const child = spawnGuarded(
    jaegerBinary(),
    [
      '--collector.otlp.enabled=true',
      `--collector.otlp.http.host-port=127.0.0.1:${otlpHttp}`,
      `--collector.otlp.grpc.host-port=127.0.0.1:${otlpGrpc}`,
      `--collector.http-server.host-port=127.0.0.1:${collectorHttp}`,
      `--collector.grpc-server.host-port=127.0.0.1:${collectorGrpc}`,
      `--query.http-server.host-port=127.0.0.1:${query}`,
      `--query.grpc-server.host-port=127.0.0.1:${queryGrpc}`,
      `--admin.http.host-port=127.0.0.1:${admin}`,
      '--memory.max-traces=100000',
      '--log-level=warn',
    ],
    {
      cwd: dir,
      logFile: log,
      env: {
        ...process.env,
        SPAN_STORAGE_TYPE: 'memory',
        // Jaeger traces itself to 127.0.0.1:4317 by default, and a failing flush holds up shutdown
        // for 10 s: sample nothing, and point the exporter at its own receiver all the same.
        OTEL_TRACES_SAMPLER: 'always_off',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpGrpc}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${otlpGrpc}`,
      },
    },
  );
  const stop = async (): Promise<void> => {
    await child.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };

  const adminUrl = `http://127.0.0.1:${admin}`;
  const queryUrl = `http://127.0.0.1:${query}`;
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    let ready = false;
    let lastError: unknown;
    while (!ready && Date.now() < deadline) {
      // Fail at once, not at the timeout, when the process exits.
      if (child.exitCode() !== undefined) throw new Error(`jaeger exited (code ${child.exitCode()})`);
      try {
        const health = await fetch(`${adminUrl}/`);
        ready = health.ok && (await fetch(`${queryUrl}/api/services`)).ok;
      } catch (error) {
        lastError = error;
      }
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ready) {
      throw new Error(`timed out waiting for jaeger${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
  } catch (error) {
    const tailText = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
    await stop();
    throw new Error(`${(error as Error).message}\n${tailText}`);
  }

  return {
    otlpHttpUrl: `http://127.0.0.1:${otlpHttp}`,
    otlpGrpcAddress: `127.0.0.1:${otlpGrpc}`,
    queryUrl,
    adminUrl,
    log,
    stop,
  };
}
