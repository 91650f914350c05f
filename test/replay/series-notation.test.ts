import { describe, expect, it } from 'vitest';
import {
  maxSeriesValues,
  parseDurationMs,
  parseSeriesValues,
  SeriesNotationError,
} from '../../src/adapters/replay/series-notation.js';

describe('series notation', () => {
  it.each([
    ['1+1x3', [1, 2, 3, 4]],
    ['5x3', [5, 5, 5, 5]],
    ['10-2x3', [10, 8, 6, 4]],
    ['1x0', [1]],
    ['7', [7]],
    ['1 2 3', [1, 2, 3]],
    ['-1', [-1]],
    ['-5+2x2', [-5, -3, -1]],
    ['-5-5x2', [-5, -10, -15]],
    ['+3', [3]],
    ['1e3', [1000]],
    ['1.5e-3', [0.0015]],
    ['2E2+1e2x2', [200, 300, 400]],
    ['.5 0.25', [0.5, 0.25]],
    ['1 _ 3', [1, null, 3]],
    ['_x3 1', [null, null, null, 1]],
    ['_x0', []],
    ['1 stale 2', [1, null, 2]],
    ['  1   2\t3\n', [1, 2, 3]],
    ['', []],
  ])('%j expands to %j', (notation, expected) => {
    expect(parseSeriesValues(notation)).toEqual(expected);
  });

  it('reads Inf and NaN as Prometheus does', () => {
    expect(parseSeriesValues('Inf -Inf +Inf')).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    const [nan] = parseSeriesValues('NaN');
    expect(Number.isNaN(nan)).toBe(true);
  });

  it('does not drift when stepping by fractions', () => {
    const values = parseSeriesValues('0+0.1x30');
    expect(values).toHaveLength(31);
    expect(values[30]).toBeCloseTo(3, 12);
    expect(values[10]).toBe(0 + 0.1 * 10);
  });

  it('concatenates items in order', () => {
    expect(parseSeriesValues('0+10x2 _ 5x1 100-50x2')).toEqual([0, 10, 20, null, 5, 5, 100, 50, 0]);
  });

  it.each(['abc', '1x', 'x3', '1+x3', '1++1x3', '1+1', '_+1x2', '1x-3', '1xx3', '1,2', '1+1x3y'])(
    'rejects %j',
    (notation) => {
      expect(() => parseSeriesValues(notation)).toThrow(SeriesNotationError);
    },
  );

  it('names the offending item', () => {
    expect(() => parseSeriesValues('1 2 bogus 4')).toThrow(/"bogus"/);
  });

  it('refuses series that would not fit in a small world', () => {
    expect(() => parseSeriesValues(`1x${maxSeriesValues + 1}`)).toThrow(/larger than/);
    expect(() => parseSeriesValues(`1x${maxSeriesValues - 1} 1x5`)).toThrow(/more than/);
  });
});

describe('durations', () => {
  it.each([
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '1', 'm', '1.5m', '-1m', '0s', '1 m'])('rejects %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow();
  });
});
