import type { FastifyInstance } from 'fastify';
import { type CorrelationLabels, normaliseAlert } from '../../domain/alert.js';
import { type PayloadLimits, payloadValidator } from '../../domain/alertmanager-payload.js';
import { ErrorCodes, isMedicError, MedicError } from '../../domain/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Ingestor } from '../../pipeline/ingest.js';
import { requireBearer } from '../auth.js';
import { errorBody } from '../errors.js';

export interface WebhookDeps {
  ingestor: Ingestor;
  limits: PayloadLimits;
  labels: CorrelationLabels;
  token: string | undefined;
  retryAfterSeconds: number;
  metrics: Metrics;
}

export function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): void {
  const validate = payloadValidator(deps.limits);
  const authorise = requireBearer(deps.token, 'the Alertmanager webhook');

  app.post(
    '/v1/webhooks/alertmanager',
    {
      onRequest: authorise,
      onResponse: async (_request, reply) => {
        deps.metrics.webhookRequests.inc({ code: String(reply.statusCode) });
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const parsed = validate(request.body);
      if (!parsed.ok) {
        const problems = parsed.problems.slice(0, 20);
        const first = problems[0];
        return reply.code(400).send(
          errorBody(
            ErrorCodes.badRequest,
            `invalid Alertmanager payload: ${first?.field}: ${first?.problem}`,
            {
              field: first?.field ?? '(body)',
              problems,
            },
          ),
        );
      }
      const receivedAt = new Date();
      const alerts = parsed.payload.alerts.map((alert, index) => {
        try {
          return normaliseAlert(alert, receivedAt, deps.labels);
        } catch (error) {
          if (!isMedicError(error)) throw error;
          const field = `alerts[${index}].${String(error.details['field'])}`;
          throw new MedicError(ErrorCodes.badRequest, `invalid Alertmanager payload: ${error.message}`, {
            field,
          });
        }
      });
      const result = await deps.ingestor.ingest(alerts);
      const firing = alerts.filter((alert) => alert.status === 'firing').length;
      deps.metrics.alertsReceived.inc({ status: 'firing', outcome: 'accepted' }, firing);
      deps.metrics.alertsReceived.inc({ status: 'resolved', outcome: 'accepted' }, alerts.length - firing);
      deps.metrics.alertsReceived.inc({ status: 'any', outcome: 'duplicate' }, result.duplicates);
      deps.metrics.ingestLatency.observe(performance.now() - started);
      request.log.debug({ incidents: result.incidents, accepted: result.accepted }, 'alerts admitted');
      return reply.code(202).send(result);
    },
  );
}
