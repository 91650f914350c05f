import type { Execution } from '../../domain/plan.js';
import type { Logger } from '../../observability/logger.js';
import type { ChannelClick, ChannelDecide, ChannelDecisionOutcome } from '../../ports/approval-channel.js';
import type { Clock } from '../../ports/clock.js';
import type { IncidentStore } from '../../ports/incident-store.js';
import { buildCard } from './card.js';
import { readCardRef, saveCardRef } from './card-ref.js';
import type { SlackApi } from './client.js';
import { escalateIncident } from './escalate.js';
import { escapeMrkdwn, mention } from './escape.js';

/** Work done after Slack has been answered: each kind is retried on its own, so a decision never runs twice. */
export type SlackJob =
  | { kind: 'card'; incidentId: string; post: boolean }
  | { kind: 'click'; click: ChannelClick }
  | { kind: 'reply'; channel: string; ts: string; text: string }
  | { kind: 'ephemeral'; channel: string; user: string; text: string; threadTs: string | null };

export interface SlackProcessorDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  api: SlackApi;
  decide: ChannelDecide;
  /** The approver rule for Escalate (a decision gets it from `decide`). */
  mayEscalate: (identity: { name: string; slackUser: string; slackGroups: string[] }) => boolean;
  /** Slack user id → person name, so one person counts once across Slack, HTTP and the CLI. */
  people: Record<string, string>;
  /** Slack user groups that hold approvers; membership is looked up only when there are some. */
  approverGroups: string[];
  enqueue: (job: SlackJob) => Promise<void>;
  onEscalated?: (incidentId: string) => Promise<void>;
}

const TERMINAL_EXECUTION = new Set<Execution['state']>([
  'succeeded',
  'rolled-back',
  'failed',
  'rollback-failed',
]);

export function executionDetails(execution: Execution): string {
  const icon = execution.state === 'succeeded' ? '✅' : execution.state === 'rolled-back' ? '⚠️' : '❌';
  const lines = [`${icon} *Execution ${execution.state}* (plan ${escapeMrkdwn(execution.planId)})`];
  for (const line of execution.verification.slice(0, 20)) lines.push(`• ${escapeMrkdwn(line.slice(0, 300))}`);
  if (execution.error) lines.push(`Error: \`${escapeMrkdwn(execution.error.slice(0, 1000))}\``);
  lines.push(
    `Started ${execution.startedAt}${execution.finishedAt ? `, finished ${execution.finishedAt}` : ''}`,
  );
  return lines.join('\n');
}

function decisionNote(outcome: ChannelDecisionOutcome, who: string): { thread: boolean; text: string } {
  switch (outcome.status) {
    case 'approved':
      return { thread: true, text: `✅ Approved by ${who} (${outcome.approvals} of ${outcome.required})` };
    case 'waiting':
      return {
        thread: true,
        text: `👍 ${who} approved (${outcome.approvals} of ${outcome.required}); waiting for a second approver`,
      };
    case 'rejected':
      return { thread: true, text: `🚫 Rejected by ${who}` };
    case 'refused':
      return { thread: false, text: `Not recorded: ${escapeMrkdwn(outcome.reason ?? 'refused')}` };
    case 'duplicate':
      return { thread: false, text: `Nothing to do: ${escapeMrkdwn(outcome.reason ?? 'already decided')}` };
  }
}

export class SlackProcessor {
  constructor(private readonly deps: SlackProcessorDeps) {}

  async run(job: SlackJob): Promise<void> {
    const { api } = this.deps;
    switch (job.kind) {
      case 'card':
        return this.syncCard(job.incidentId, job.post);
      case 'click':
        return this.click(job.click);
      case 'reply':
        return api.reply({ channel: job.channel, ts: job.ts }, job.text);
      case 'ephemeral':
        return api.ephemeral(job.channel, job.user, job.text, job.threadTs ?? undefined);
    }
  }

  /** Renders the card from what the store holds now; posts it if `post` and it was never posted. */
  async syncCard(incidentId: string, post: boolean): Promise<void> {
    const { store, api } = this.deps;
    let ref = await readCardRef(store, incidentId);
    if (!ref && !post) return;
    const [incident, plan] = await Promise.all([store.get(incidentId), store.latestPlan(incidentId)]);
    if (!incident || !plan) return;
    const [evidence, similar, approvals, execution] = await Promise.all([
      store.evidence(incidentId),
      store.similar(incidentId),
      store.approvals(plan.id),
      store.execution(plan.id),
    ]);
    const card = buildCard({
      incident,
      plan,
      evidence,
      similar,
      approvals,
      execution,
      now: this.deps.clock.now(),
    });
    if (ref) {
      await api.update(ref, card);
    } else {
      ref = { ...(await api.post(card)), replies: [] };
      await saveCardRef(store, incidentId, ref);
    }
    if (execution && TERMINAL_EXECUTION.has(execution.state)) {
      const key = `execution:${execution.planId}:${execution.state}`;
      if (!ref.replies.includes(key)) {
        await api.reply(ref, executionDetails(execution));
        await saveCardRef(store, incidentId, { ...ref, replies: [...ref.replies, key] });
      }
    }
  }

  /**
   * A card shows one plan; a click on it must never approve a newer plan nobody has seen. The refusal
   * is audited like any other.
   */
  private async staleCard(click: ChannelClick, by: string): Promise<string | null> {
    const { store, clock } = this.deps;
    const current = await store.latestPlan(click.incidentId);
    if (!current || current.id === click.planId) return null;
    const reason = `the card shows plan ${click.planId}; the incident's current plan is ${current.id}`;
    await store.transaction((tx) =>
      tx.appendAudit(
        [
          {
            incident: click.incidentId,
            actor: `person/${by}`,
            type: 'approval.refused',
            data: { plan: click.planId, decision: click.action, via: 'slack', by, reason },
          },
        ],
        clock.now(),
      ),
    );
    return `Not recorded: ${escapeMrkdwn(reason)}. Use the newest card.`;
  }

  private async click(click: ChannelClick): Promise<void> {
    const { deps } = this;
    const { id, username } = click.user;
    const by = deps.people[id] ?? `slack:${id}:${username}`;
    const slackGroups =
      deps.approverGroups.length > 0 ? await deps.api.groupsOf(id, deps.approverGroups) : [];
    const who = mention(id);
    let note: { thread: boolean; text: string };
    const stale = await this.staleCard(click, by);
    if (stale) {
      note = { thread: false, text: stale };
    } else if (click.action === 'escalate') {
      const allowed = deps.mayEscalate({ name: by, slackUser: id, slackGroups });
      const outcome = await escalateIncident(
        { incidentId: click.incidentId, planId: click.planId, by, slackUser: id, allowed },
        deps,
      );
      if (outcome.status === 'escalated') await deps.onEscalated?.(click.incidentId);
      note =
        outcome.status === 'escalated'
          ? { thread: true, text: `📣 Escalated by ${who}: medic will not act on this incident` }
          : { thread: false, text: `Not escalated: ${escapeMrkdwn(outcome.reason)}` };
    } else {
      const outcome = await deps.decide(click.incidentId, {
        decision: click.action,
        by,
        via: 'slack',
        reason: null,
        slackUser: id,
        planId: click.planId,
        ...(slackGroups.length > 0 ? { slackGroups } : {}),
      });
      note = decisionNote(outcome, who);
    }
    deps.logger.info(
      { incident: click.incidentId, action: click.action, slackUser: id, note: note.text },
      'slack click',
    );
    // The card is re-rendered after every click: an expired or already decided incident shows so.
    await deps.enqueue({ kind: 'card', incidentId: click.incidentId, post: false });
    if (!click.channel) return;
    if (note.thread && click.messageTs) {
      await deps.enqueue({ kind: 'reply', channel: click.channel, ts: click.messageTs, text: note.text });
    } else {
      await deps.enqueue({
        kind: 'ephemeral',
        channel: click.channel,
        user: id,
        text: note.text,
        threadTs: null,
      });
    }
  }
}
