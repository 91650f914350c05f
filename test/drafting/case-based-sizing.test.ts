import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/domain/quantity.js';
import { CaseBasedDrafter } from '../../src/drafting/case-based/drafter.js';
import { cpuLimitFor, grow, memoryLimitFor } from '../../src/drafting/case-based/sizing.js';
import { MI } from '../fixtures/drafting/builders.js';
import * as scenario from '../fixtures/drafting/scenarios.js';

describe('sizing', () => {
  it('memory: a parseable limit at least the peak and at most 4× the current limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 16 * 1024 }),
        fc.double({ min: 0.3, max: 1.05, noNaN: true }),
        (limitMi, fraction) => {
          const limit = limitMi * MI;
          const peak = limit * fraction;
          const proposed = parseQuantity(memoryLimitFor(peak, limit));
          expect(proposed).toBeGreaterThanOrEqual(peak);
          expect(proposed).toBeGreaterThan(limit);
          expect(proposed).toBeLessThanOrEqual(limit * 4);
        },
      ),
    );
  });

  it('memory: rounds down instead of past the 4× cap', () => {
    expect(memoryLimitFor(290 * MI, 100 * MI)).toBe('400Mi');
  });

  it('cpu: a parseable limit above the current one and at most 4×', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 16_000 }),
        fc.double({ min: 0.5, max: 1.2, noNaN: true }),
        fc.constantFrom(1.5, 2),
        (limitMillis, fraction, factor) => {
          const limit = limitMillis / 1000;
          const proposed = parseQuantity(cpuLimitFor(limit * fraction, limit, factor));
          expect(proposed).toBeGreaterThan(limit);
          expect(proposed).toBeLessThanOrEqual(limit * 4 + 1e-9);
        },
      ),
    );
  });

  it('counts grow by at least one and at most double', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (current, factor) => {
          const next = grow(current, factor);
          expect(next).toBeGreaterThan(current);
          expect(next).toBeLessThanOrEqual(current * 2);
        },
      ),
    );
  });

  it('through the drafter: OOM proposals stay between the peak and 4× the limit for any limit and peak', async () => {
    const drafter = new CaseBasedDrafter();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 64, max: 8192 }),
        fc.double({ min: 0.86, max: 1, noNaN: true }),
        async (limitMi, fraction) => {
          const peakMi = Math.max(30, Math.round(limitMi * fraction));
          const { draft } = await drafter.draft(scenario.oomCheckout(peakMi, limitMi));
          expect(draft.playbook).toBe('set-resources');
          const value = parseQuantity(draft.params['limits.memory'] as string);
          expect(value).toBeGreaterThanOrEqual(peakMi * MI);
          expect(value).toBeLessThanOrEqual(limitMi * MI * 4);
        },
      ),
      { numRuns: 60 },
    );
  });
});
