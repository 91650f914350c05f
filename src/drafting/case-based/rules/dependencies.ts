import { type Candidate, escalation } from '../candidate.js';
import { type Facts, isOwnService, logPatterns, maxOf, signalRef, signals, workloadLabel } from '../facts.js';
import { percent, round } from '../format.js';

const POOL_EXHAUSTED =
  /too many (connections|clients)|remaining connection slots|connection pool (is )?exhausted|pool (is )?exhausted|timeout (acquiring|waiting for) (a )?connection|could not obtain (a )?connection|connection is not available, request timed out|max_connections/i;
const DATABASES = /postgres|mysql|mariadb|redis|mongo|cassandra|oracle|mssql|sqlserver|db\b|database/i;

/** A database or peer out of connections: restarting clients would reconnect all at once and make it worse. */
export function dependencyExhaustionRule(facts: Facts): Candidate | null {
  const inUse = signals(facts, 'db_connections_in_use');
  const saturation = maxOf(inUse, (s) => s.ratioToReference);
  const maxConnections = maxOf(signals(facts, 'db_connections_max'), (s) => s.last);
  const peakInUse = maxOf(inUse, (s) => s.max);
  const metricSaysFull = saturation !== null && saturation >= 0.95;
  const patterns = logPatterns(facts, POOL_EXHAUSTED);
  const dbEdges = (facts.evidence?.traces?.edges ?? [])
    .map((edge, i) => ({ edge, ref: `traces.edges[${i}]` }))
    .filter(({ edge }) => DATABASES.test(edge.to) && edge.errors > 0);
  if (!metricSaysFull && patterns.length === 0) return null;
  if (!metricSaysFull && dbEdges.length === 0 && patterns.reduce((sum, p) => sum + p.item.count, 0) < 5)
    return null;
  const refs = [
    ...(inUse.length > 0 ? [signalRef('db_connections_in_use'), signalRef('db_connections_max')] : []),
    ...patterns.slice(0, 3).map((p) => p.ref),
    ...dbEdges.slice(0, 2).map((e) => e.ref),
  ];
  const peer = dbEdges[0]?.edge.to ?? 'its database';
  return escalation(
    'dependency-exhaustion',
    metricSaysFull ? 0.88 : 0.75,
    `${workloadLabel(facts)} fails because ${peer} is out of connections${
      metricSaysFull && peakInUse !== null && maxConnections !== null
        ? ` (${round(peakInUse, 0)} of ${round(maxConnections, 0)} in use)`
        : ''
    }.`,
    `${metricSaysFull ? `Connections in use reached ${percent(saturation ?? 0)} of the maximum. ` : ''}${
      patterns.length > 0
        ? `${patterns.reduce((sum, p) => sum + p.item.count, 0)} log lines match connection-exhaustion patterns. `
        : ''
    }${dbEdges.length > 0 ? `${dbEdges.reduce((sum, e) => sum + e.edge.errors, 0)} failing calls to ${peer} in traces. ` : ''}Restarting or scaling the clients would open even more connections at once; the pool size, the database's limit or a runaway client needs a human.`,
    refs,
    ['Restarting or scaling clients of an exhausted database makes the exhaustion worse.'],
  );
}

/** Errors that start in another service: the incident's workload is the victim, not the cause. */
export function downstreamErrorsRule(facts: Facts): Candidate | null {
  const traces = facts.evidence?.traces;
  if (!traces || facts.ownServices.size === 0) return null;
  const origins = traces.errorOrigins.map((origin, i) => ({ origin, ref: `traces.errorOrigins[${i}]` }));
  const total = origins.reduce((sum, o) => sum + o.origin.errors, 0);
  const foreign = origins.filter((o) => !isOwnService(facts, o.origin.service));
  const top = foreign[0];
  if (!top || total === 0) return null;
  const share = foreign
    .filter((o) => o.origin.service === top.origin.service)
    .reduce((sum, o) => sum + o.origin.errors, 0);
  if (share < 3 || share / total < 0.6) return null;
  const downstream = top.origin.service;
  const edges = traces.edges
    .map((edge, i) => ({ edge, ref: `traces.edges[${i}]` }))
    .filter(({ edge }) => edge.to === downstream && edge.errors > 0);
  return escalation(
    'downstream-errors',
    0.82,
    `Errors surfacing in ${workloadLabel(facts)} originate in ${downstream} (${top.origin.operation}): ${share} of ${total} failing spans start there.`,
    `Traces attribute ${percent(share / total)} of error origins to ${downstream}, not to ${[...facts.ownServices].join('/')}. Acting on the incident's own workload would not help a victim of its dependency, and the evidence holds no facts about ${downstream} to choose a safe action for it, so its owners should look.`,
    [top.ref, ...edges.slice(0, 2).map((e) => e.ref)],
    [`Do not restart or scale ${[...facts.ownServices][0]}: its errors come from ${downstream}.`],
  );
}
