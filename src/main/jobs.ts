/** The payload of every incident-stage job. */
export const isIncidentJob = (data: unknown): data is { incidentId: string } =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as { incidentId?: unknown }).incidentId === 'string';
