import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { incidentStates } from '../../domain/incident.js';
import type { AuditLog } from '../../ports/audit-log.js';
import type { IncidentStore } from '../../ports/incident-store.js';
import { requireBearer } from '../auth.js';
import { parseOrThrow } from '../parse.js';

export interface IncidentRouteDeps {
  store: IncidentStore;
  audit: AuditLog;
  token: string | undefined;
}

const instant = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an RFC 3339 timestamp' });

const listQuery = z.strictObject({
  state: z
    .string()
    .transform((value) => value.split(',').map((state) => state.trim()))
    .pipe(z.array(z.enum(incidentStates)))
    .optional(),
  since: instant.transform((value) => new Date(value).toISOString()).optional(),
  until: instant.transform((value) => new Date(value).toISOString()).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

export function incidentRoutes(app: FastifyInstance, deps: IncidentRouteDeps): void {
  const authorise = requireBearer(deps.token, 'the incidents API');

  app.get('/v1/incidents', { onRequest: authorise }, async (request) => {
    const query = parseOrThrow(listQuery, request.query, 'query');
    const page = await deps.store.list({
      limit: query.limit,
      ...(query.state ? { states: query.state } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { incidents: page.items, nextCursor: page.nextCursor };
  });

  app.get('/v1/incidents/:id', { onRequest: authorise }, async (request) => {
    const { id } = parseOrThrow(z.object({ id: z.string().min(1).max(128) }), request.params, 'params');
    const incident = await deps.store.get(id);
    if (!incident) throw new MedicError(ErrorCodes.notFound, `no incident ${id}`, { field: 'id' });
    const [alerts, evidence, similar, draft, plan, timeline] = await Promise.all([
      deps.store.alerts(id),
      deps.store.evidence(id),
      deps.store.similar(id),
      deps.store.draft(id),
      deps.store.latestPlan(id),
      deps.audit.read({ incident: id }),
    ]);
    const [approvals, execution] = plan
      ? await Promise.all([deps.store.approvals(plan.id), deps.store.execution(plan.id)])
      : [[], null];
    return { incident, alerts, evidence, similar, draft, plan, approvals, execution, timeline };
  });
}
