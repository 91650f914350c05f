import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'medic' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Child logger whose every line names the incident, so one grep follows it through all stages. */
export function incidentLogger(logger: Logger, incidentId: string, stage: string): Logger {
  return logger.child({ incident: incidentId, stage });
}
