import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseAlert } from '../../src/domain/alert.js';
import { payloadValidator } from '../../src/domain/alertmanager-payload.js';
import { defaultWorkloadLabelSets } from '../../src/domain/workload.js';

const validate = payloadValidator();
const labels = {
  cluster: ['cluster'],
  namespace: ['namespace'],
  workload: defaultWorkloadLabelSets,
  defaultCluster: 'c',
};

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);
const validAlert = fc.record({
  status: fc.constantFrom('firing', 'resolved'),
  labels: fc
    .dictionary(labelName, fc.string({ maxLength: 50 }), { maxKeys: 10 })
    .map((l) => ({ ...l, alertname: 'A' })),
  annotations: fc.dictionary(labelName, fc.string({ maxLength: 200 }), { maxKeys: 5 }),
  startsAt: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  endsAt: fc.constant('0001-01-01T00:00:00Z'),
  fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
});
const validPayload = fc.record({
  version: fc.constant('4'),
  status: fc.constantFrom('firing', 'resolved'),
  receiver: fc.string(),
  alerts: fc.array(validAlert, { minLength: 1, maxLength: 20 }),
  extra: fc.anything(),
});

describe('webhook payload schema (property-based)', () => {
  it('accepts every well-formed v4 payload, extra fields included, and normalises each alert', () => {
    fc.assert(
      fc.property(validPayload, (payload) => {
        const parsed = validate(payload);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        for (const alert of parsed.payload.alerts) {
          const normalised = normaliseAlert(alert, new Date(), labels);
          expect(normalised.key).toBe(
            `${alert.fingerprint}.${Date.parse(alert.startsAt).toString(36)}.${alert.status[0]}`,
          );
          expect(normalised.endsAt).toBeNull();
          expect(normalised.alertname).toBe('A');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON, and rejects anything that is not a v4 payload with a field path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = validate(value);
        if (!parsed.ok) expect(parsed.problems[0]?.field).toMatch(/\S/);
        else expect(parsed.payload.version).toBe('4');
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a valid payload with one field mutated to the wrong type', () => {
    const fields = ['version', 'status', 'alerts'] as const;
    fc.assert(
      fc.property(
        validPayload,
        fc.constantFrom(...fields),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
        (payload, field, bad) => {
          const parsed = validate({ ...payload, [field]: bad });
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.problems[0]?.field).toBe(field);
        },
      ),
      { numRuns: 300 },
    );
  });
});
