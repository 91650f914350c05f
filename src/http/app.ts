import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import { handleError } from './errors.js';
import { type DecisionRouteDeps, decisionRoutes } from './routes/decisions.js';
import { type HealthDeps, healthRoutes } from './routes/health.js';
import { type IncidentRouteDeps, incidentRoutes } from './routes/incidents.js';
import { type SlackRouteDeps, slackRoutes } from './routes/slack.js';
import { type WebhookDeps, webhookRoutes } from './routes/webhook.js';

export interface AppDeps {
  logger: Logger;
  bodyLimitBytes: number;
  webhook: WebhookDeps;
  incidents: IncidentRouteDeps;
  decisions: DecisionRouteDeps;
  slack?: SlackRouteDeps | null;
  health: HealthDeps;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    // Per-request lines are info level; at warn they stay out of the hot path. Errors still log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
    // Alertmanager ids and label values are plain strings; reject prototype tricks outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  app.setErrorHandler(handleError(deps.webhook.retryAfterSeconds));
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'MEDIC_E_NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
  webhookRoutes(app, deps.webhook);
  incidentRoutes(app, deps.incidents);
  decisionRoutes(app, deps.decisions);
  if (deps.slack) slackRoutes(app, deps.slack);
  healthRoutes(app, deps.health);
  return app;
}
