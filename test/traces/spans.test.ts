import { describe, expect, it } from 'vitest';
import {
  httpStatus,
  idToHex,
  otlpAttributes,
  spanKind,
  spanStatus,
  spansFromOtlp,
} from '../../src/adapters/otel/spans.js';
import { buildTraceSet, toOtlp, traceA } from './fixture.js';

describe('OTLP span normalisation', () => {
  const set = buildTraceSet(new Date('2026-11-25T12:00:00.000Z'));

  it('normalises OTLP/HTTP JSON (hex ids, enum ints) and Tempo JSON (base64 ids, enum names) alike', () => {
    const otlp = spansFromOtlp(toOtlp(set));
    const tempo = spansFromOtlp(toOtlp(set, { tempo: true }));
    expect(otlp).toEqual(tempo);
    for (const expected of set.expected) {
      const got = otlp.find((span) => span.spanId === expected.spanId);
      expect(got).toEqual(expected);
    }
  });

  it('reads {trace: {resourceSpans}} and instrumentationLibrarySpans, and ignores junk', () => {
    const { resourceSpans } = toOtlp(set, {}, traceA) as { resourceSpans: Array<{ scopeSpans: unknown }> };
    const legacy = resourceSpans.map(({ scopeSpans, ...rest }) => ({
      ...rest,
      instrumentationLibrarySpans: scopeSpans,
    }));
    expect(spansFromOtlp({ trace: { resourceSpans } })).toHaveLength(6);
    expect(spansFromOtlp({ batches: legacy })).toHaveLength(6);
    expect(spansFromOtlp(null)).toEqual([]);
    expect(spansFromOtlp({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'no ids' }] }] }] })).toEqual([]);
  });

  it('converts ids, kinds and statuses', () => {
    expect(idToHex('W47/95gDgQPSabYzgT/GDA==', 16)).toBe('5b8efff798038103d269b633813fc60c');
    expect(idToHex('oAAAAAAAAAE=', 8)).toBe('a000000000000001');
    expect(idToHex('AB12', 8)).toBe('000000000000ab12');
    expect(idToHex('', 8)).toBeNull();
    expect(idToHex('AAAAAAAAAAA=', 8)).toBeNull();
    expect([0, 1, 2, 3, 4, 5, 9].map(spanKind)).toEqual([
      'internal',
      'internal',
      'server',
      'client',
      'producer',
      'consumer',
      'internal',
    ]);
    expect(['SPAN_KIND_SERVER', 'client', 'CONSUMER', 'weird'].map(spanKind)).toEqual([
      'server',
      'client',
      'consumer',
      'internal',
    ]);
    expect(spanStatus(false, { 'http.status_code': '503' })).toBe('error');
    expect(spanStatus(false, { 'http.response.status_code': 404 })).toBe('ok');
    expect(spanStatus(true, {})).toBe('error');
    expect(httpStatus({ 'http.response.status_code': 200, 'http.status_code': 500 })).toBe(200);
  });

  it('flattens attribute values of every type', () => {
    expect(
      otlpAttributes([
        { key: 's', value: { stringValue: 'x' } },
        { key: 'i', value: { intValue: '42' } },
        { key: 'b', value: { boolValue: true } },
        { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: 1 }] } } },
        { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
        { key: 'empty', value: {} },
        { value: { stringValue: 'no key' } },
      ]),
    ).toEqual({ s: 'x', i: 42, b: true, d: 1.5, a: '["p",1]', m: '{"k":"v"}' });
  });
});
