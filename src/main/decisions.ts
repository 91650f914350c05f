import { bearerMatches } from '../http/auth.js';
import type { DecisionRouteDeps } from '../http/routes/decisions.js';
import { decide } from '../pipeline/approve.js';
import { pauseState, setPaused } from '../pipeline/kill-switch.js';
import type { ApprovalChannel } from '../ports/approval-channel.js';
import type { Runtime } from './runtime.js';

/**
 * Approvals and the kill switch over HTTP. With approver tokens configured, the token names the
 * person (and replaces the API token on these routes); without them, the body's `by` does.
 */
export function decisionDeps(runtime: Runtime, channel?: ApprovalChannel): DecisionRouteDeps {
  const { config, store, clock, logger, metrics, stages } = runtime;
  const tokens = Object.entries(config.approvals.tokens);
  return {
    token: tokens.length > 0 ? undefined : config.server.apiToken,
    identify: (authorization) => {
      if (tokens.length === 0) return undefined;
      // Every entry is compared, so the time taken does not reveal which token matched.
      let name: string | null = null;
      for (const [token, person] of tokens) if (bearerMatches(authorization, token)) name = person;
      return name;
    },
    decide: async (incidentId, request) => {
      const outcome = await decide(incidentId, request, {
        store,
        clock,
        logger,
        policy: runtime.actions.policy,
        stages,
      });
      metrics.approvals.inc({ via: request.via, decision: request.decision, outcome: outcome.status });
      await channel?.incidentChanged(incidentId).catch((err: unknown) => {
        logger.warn({ err, incident: incidentId }, 'could not update the Slack card');
      });
      return outcome;
    },
    pauseState: () => pauseState(store, config.execution.paused),
    setPaused: async (change) => {
      await setPaused(store, clock, change);
      metrics.paused.set((await pauseState(store, config.execution.paused)).paused ? 1 : 0);
    },
  };
}
