import { describe, expect, it } from 'vitest';
import { buildCard, type CardView, LIMITS, trimmedDiff } from '../../src/adapters/slack/card.js';
import { escapeCode, escapeMrkdwn } from '../../src/adapters/slack/escape.js';
import type { Incident } from '../../src/domain/incident.js';
import type { Plan } from '../../src/domain/plan.js';
import { evidenceFor, similarFor } from './harness.js';

const now = new Date('2026-11-25T12:00:00.000Z');
const target = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };

function view(overrides: { plan?: Partial<Plan>; incident?: Partial<Incident> } = {}): CardView {
  const incident: Incident = {
    id: 'inc-card-1',
    correlationKey: 'default/shop/Deployment/checkout',
    state: 'awaiting-approval',
    title: 'KubePodCrashLooping shop/checkout',
    severity: 'critical',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    lastAlertAt: now.toISOString(),
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
    ...overrides.incident,
  };
  const plan: Plan = {
    id: 'inc-card-1-plan',
    incidentId: incident.id,
    playbook: 'raise-memory-limit',
    target,
    params: { container: 'app', memory: '768Mi' },
    draft: {
      diagnosis: 'OOMKilled: the heap outgrew the 512Mi limit after v1.5.0',
      confidence: 0.82,
      playbook: 'raise-memory-limit',
      target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
      params: { container: 'app', memory: '768Mi' },
      rationale: 'working set at 97% of the limit with 6 OOMKills',
      evidence_refs: [],
      risk_notes: [],
    },
    steps: [],
    dryRun: [
      { ref: target, ok: true, message: null, diff: '-        memory: 512Mi\n+        memory: 768Mi\n' },
    ],
    verdict: {
      decision: 'needs-approval',
      reasons: ['resources: 768Mi is 1.5x the current limit'],
      approvers: 1,
      risk: 'medium',
    },
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    ...overrides.plan,
  };
  return {
    incident,
    plan,
    evidence: evidenceFor(incident.id),
    similar: similarFor(),
    approvals: [],
    execution: null,
    now,
  };
}

type Node = Record<string, unknown>;
const blocksOfType = (blocks: Node[], type: string) => blocks.filter((block) => block['type'] === type);

/** Every limit the Block Kit reference states for what the card uses. */
function checkLimits(card: ReturnType<typeof buildCard>) {
  expect(card.text.length).toBeGreaterThan(0);
  expect(card.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  for (const block of card.blocks) {
    const text = (block['text'] as { text?: string } | undefined)?.text ?? '';
    expect(text.length).toBeLessThanOrEqual(block['type'] === 'header' ? LIMITS.header : LIMITS.sectionText);
    const fields = (block['fields'] as Array<{ text: string }> | undefined) ?? [];
    expect(fields.length).toBeLessThanOrEqual(LIMITS.fields);
    for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(LIMITS.field);
    for (const element of (block['elements'] as Node[] | undefined) ?? []) {
      if (element['type'] !== 'button') continue;
      expect((element['text'] as { text: string }).text.length).toBeLessThanOrEqual(LIMITS.buttonText);
      expect(String(element['value']).length).toBeLessThanOrEqual(LIMITS.value);
      expect(String(element['action_id']).length).toBeLessThanOrEqual(LIMITS.actionId);
    }
  }
}

describe('the approval card', () => {
  it('has the header, facts, diff and buttons in Block Kit form', () => {
    const card = buildCard(view());
    checkLimits(card);
    expect(card.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const header = JSON.stringify(card.blocks[0]);
    expect(header).toContain('CRITICAL');
    expect(header).toContain('Deployment shop/checkout');
    const all = JSON.stringify(card.blocks);
    expect(all).toContain('confidence 82%');
    expect(all).toContain('498Mi of 512Mi limit (97%)');
    expect(all).toContain('container oom kills: +6 in 20 min');
    expect(all).toContain('log ×57');
    expect(all).toContain('app v1.4.1 → v1.5.0');
    expect(all).toContain('raise-memory-limit memory=\\"768Mi\\" → resolved');
    expect(all).toContain('+        memory: 768Mi');
    expect(all).toContain('1.5x the current limit');
    const [actions] = blocksOfType(card.blocks, 'actions') as Array<{ elements: Node[] }>;
    const [approve, reject, escalate] = actions?.elements ?? [];
    expect(approve).toMatchObject({ action_id: 'medic_approve', style: 'primary' });
    expect(approve?.['confirm']).toMatchObject({
      title: { type: 'plain_text' },
      text: { type: 'mrkdwn' },
      confirm: { type: 'plain_text' },
      deny: { type: 'plain_text' },
    });
    expect(reject).toMatchObject({ action_id: 'medic_reject', style: 'danger' });
    expect(escalate).toMatchObject({ action_id: 'medic_escalate' });
    expect(JSON.parse(String(approve?.['value']))).toEqual({
      incidentId: 'inc-card-1',
      planId: 'inc-card-1-plan',
    });
  });

  it('trims a huge diff to changed lines within the section limit and says so', () => {
    const context = Array.from({ length: 400 }, (_, i) => `   line ${i}: ${'x'.repeat(40)}`).join('\n');
    const diff = `--- a\n+++ b\n@@ -1,400 +1,400 @@\n${context}\n-  replicas: 2\n+  replicas: 4\n`;
    const card = buildCard(view({ plan: { dryRun: [{ ref: target, ok: true, message: null, diff }] } }));
    checkLimits(card);
    const trimmed = trimmedDiff(
      view({ plan: { dryRun: [{ ref: target, ok: true, message: null, diff }] } }).plan,
    );
    expect(trimmed).toContain('+  replicas: 4');
    expect(trimmed).toContain('unchanged lines hidden');
    expect(trimmed).not.toContain('line 17:');
  });

  it('stays within every limit with oversized untrusted text', () => {
    const long = 'A'.repeat(10_000);
    const card = buildCard(
      view({
        plan: {
          params: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, long])),
          verdict: {
            decision: 'needs-approval',
            reasons: Array.from({ length: 100 }, () => long),
            approvers: 2,
            risk: 'high',
          },
          dryRun: [{ ref: target, ok: true, message: null, diff: `+${long}\n`.repeat(20) }],
        },
        incident: { title: long },
      }),
    );
    checkLimits(card);
  });

  it('escapes mentions, links and code fences from evidence and diffs', () => {
    const hostile = 'evil <!here> <@U0BOSS> <https://x.test|click> @channel & ```';
    expect(escapeMrkdwn(hostile)).not.toMatch(/<|>|@channel/);
    expect(escapeMrkdwn(hostile)).toContain('&amp;');
    expect(escapeCode(hostile)).not.toContain('```');
    const card = buildCard(view({ plan: { draft: { ...view().plan.draft, diagnosis: hostile } } }));
    const all = JSON.stringify(card.blocks);
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0BOSS>');
  });

  it('drops the buttons and says "expired" once the TTL has passed', () => {
    const card = buildCard(view({ plan: { expiresAt: new Date(now.getTime() - 1).toISOString() } }));
    expect(blocksOfType(card.blocks, 'actions')).toHaveLength(0);
    expect(JSON.stringify(card.blocks[1])).toContain('Expired');
  });

  it('shows where the incident went: executing, verified, rolled back, failed', () => {
    const status = (state: Incident['state']) =>
      JSON.stringify(buildCard(view({ incident: { state } })).blocks[1]);
    expect(status('executing')).toContain('Executing');
    expect(status('resolved')).toContain('Resolved');
    expect(status('rolled-back')).toContain('Rolled back');
    expect(status('failed')).toContain('Failed');
    const verified = buildCard({
      ...view({ incident: { state: 'resolved' } }),
      approvals: [
        {
          planId: 'inc-card-1-plan',
          incidentId: 'inc-card-1',
          decision: 'approve',
          by: 'slack:U0ALICE:alice',
          via: 'slack',
          reason: null,
          at: now.toISOString(),
        },
      ],
      execution: {
        planId: 'inc-card-1-plan',
        incidentId: 'inc-card-1',
        idempotencyKey: 'k',
        state: 'succeeded',
        nextStep: 1,
        preState: [],
        startedAt: now.toISOString(),
        updatedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        error: null,
        verification: [],
      },
    });
    expect(JSON.stringify(verified.blocks[1])).toContain('✅ *Verified*');
    expect(JSON.stringify(verified.blocks[1])).toContain('<@U0ALICE>');
    for (const state of ['executing', 'rolled-back', 'failed'] as const) {
      expect(blocksOfType(buildCard(view({ incident: { state } })).blocks, 'actions')).toHaveLength(0);
    }
  });
});
