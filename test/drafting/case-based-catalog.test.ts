import { describe, expect, it } from 'vitest';
import { CaseBasedDrafter } from '../../src/drafting/case-based/drafter.js';
import { validateDraft } from '../../src/drafting/validate.js';
import type { DraftInput } from '../../src/ports/drafter.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import * as scenario from '../fixtures/drafting/scenarios.js';

const drafter = new CaseBasedDrafter();
const draft = async (input: DraftInput) => (await drafter.draft(input)).draft;

describe('every scenario against the real playbook catalog', () => {
  it.each(
    Object.entries(scenario).filter(([name]) => name !== 'pastIncidents') as Array<
      [string, () => DraftInput]
    >,
  )('%s: the draft passes the catalog schema and the scope check', async (_name, make) => {
    const catalog = await loadCatalog(defaultPlaybookDir());
    const input = { ...make(), catalog };
    const result = await draft(input);
    // The real catalog refuses nothing the fixture catalog accepts.
    expect(result.playbook).toBe((await draft(make())).playbook);
    expect(validateDraft(result, { catalog, incident: input.incident, evidence: input.evidence })).toEqual(
      [],
    );
  });
});

describe('degraded evidence', () => {
  it('OOM kills seen only in metrics (Kubernetes unavailable) still size the limit from the series', async () => {
    const input = scenario.oomCheckout();
    if (input.evidence) {
      input.evidence.cluster = null;
      input.evidence.sources = input.evidence.sources.map((s) =>
        s.source === 'kubernetes' ? { ...s, state: 'unavailable', reason: 'timeout' } : s,
      );
    }
    const result = await draft(input);
    expect(result.playbook).toBe('set-resources');
    expect(result.params).toEqual({ container: 'app', 'limits.memory': '768Mi' });
    expect(result.rationale).toMatch(/^6 OOM kills in the window/);
  });
});
