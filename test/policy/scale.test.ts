import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaleRule } from '../../src/policy/rules/scale.js';
import { checkoutRef, deployment, draft, guardInput, withPolicy } from './fixtures.js';

function scaleTo(replicas: unknown, current = 4, policy = withPolicy(() => {})) {
  return scaleRule(
    guardInput({
      policy,
      draft: draft('scale', { ...checkoutRef }, { replicas }),
      target: deployment({ replicas: current }),
    }),
  );
}

describe('scale rule', () => {
  it('allows exactly maxFactor x the current replicas and denies one more', () => {
    expect(scaleTo(8, 4)).toEqual([]);
    expect(scaleTo(9, 4)).toEqual(['scale: 9 replicas is more than 2x the current 4']);
  });

  it('allows halving the current replicas and denies shedding more', () => {
    expect(scaleTo(4, 8)).toEqual([]);
    expect(scaleTo(3, 8)).toEqual(['scale: 3 replicas is less than the current 8 divided by 2']);
  });

  it('allows maxReplicas and denies one more', () => {
    expect(scaleTo(50, 30)).toEqual([]);
    expect(scaleTo(51, 30)).toEqual(['scale: 51 replicas is more than the policy maximum of 50']);
  });

  it('denies 0 unless allowZero, then allows it', () => {
    expect(scaleTo(0)).toHaveLength(1);
    expect(
      scaleTo(
        0,
        4,
        withPolicy((p) => {
          p.limits.scale.allowZero = true;
        }),
      ),
    ).toEqual([]);
  });

  it('bounds scaling up from zero as if from one replica', () => {
    expect(scaleTo(2, 0)).toEqual([]);
    expect(scaleTo(3, 0)).toEqual(['scale: 3 replicas is more than 2x the current 0 (counted as 1)']);
  });

  it('reads numeric strings and refuses what is not a whole number', () => {
    expect(scaleTo('8', 4)).toEqual([]);
    expect(scaleTo('9', 4)).toEqual(['scale: 9 replicas is more than 2x the current 4']);
    expect(scaleTo(2.5)).toEqual(['scale: replicas must be a whole number of at least 0']);
    expect(scaleTo('lots')).toEqual(['scale: replicas must be a whole number of at least 0']);
    expect(scaleTo(-1)).toEqual(['scale: replicas must be a whole number of at least 0']);
    expect(scaleTo(undefined)).toEqual(['scale: the draft gives no replicas']);
  });

  it('uses the configured factor', () => {
    const policy = withPolicy((p) => {
      p.limits.scale.maxFactor = 1.5;
    });
    expect(scaleTo(6, 4, policy)).toEqual([]);
    expect(scaleTo(7, 4, policy)).toEqual(['scale: 7 replicas is more than 1.5x the current 4']);
  });

  it('property: any replicas above 2x the current is denied; any from half to 2x (within the cap) passes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 1000 }), (current, extra) => {
        expect(scaleTo(2 * current + extra, current)).toContain(
          `scale: ${2 * current + extra} replicas is more than 2x the current ${current}`,
        );
      }),
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 25 })
          .chain((current) =>
            fc.tuple(fc.constant(current), fc.integer({ min: Math.ceil(current / 2), max: 2 * current })),
          ),
        ([current, replicas]) => {
          expect(scaleTo(replicas, current)).toEqual([]);
        },
      ),
    );
  });
});
