import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';

export interface DependencyCheck {
  name: string;
  required: boolean;
  /** Resolves when healthy; the rejection message is shown in /readyz. */
  check: () => Promise<void>;
}

export interface HealthDeps {
  checks: DependencyCheck[];
  /** Disabled optional adapters and why, shown in /readyz. */
  disabled: Array<{ name: string; reason: string }>;
  metrics: Metrics;
  /** Refreshes gauges (queue depth, incidents by state) right before a scrape. */
  beforeScrape: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: DependencyCheck) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: check.name, required: check.required, state: 'ok' as const };
  } catch (error) {
    return {
      name: check.name,
      required: check.required,
      state: 'down' as const,
      detail: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(deps.checks.map(runCheck));
    const ready = results.every((result) => result.state === 'ok' || !result.required);
    const disabled = deps.disabled.map((entry) => ({
      name: entry.name,
      required: false,
      state: 'disabled',
      detail: entry.reason,
    }));
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not-ready', dependencies: [...results, ...disabled] });
  });

  app.get('/metrics', async (request, reply) => {
    try {
      await deps.beforeScrape();
    } catch (error) {
      request.log.warn({ err: error }, 'could not refresh gauges before scrape');
    }
    reply.header('Content-Type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
