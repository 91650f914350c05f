import { describe, expect, it } from 'vitest';
import {
  defaultTemplates,
  escapeRegex,
  prometheusConfigSchema,
  quote,
  renderTemplate,
  tidyCommas,
  unknownPlaceholders,
} from '../../src/adapters/prometheus/catalog.js';
import { alertExpression, PrometheusSource } from '../../src/adapters/prometheus/source.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { signalNames } from '../../src/domain/evidence/signals.js';

const options = { rateWindow: '5m', nodeLabel: 'instance' };

describe('signal catalog', () => {
  it('covers every signal with a template that uses only known placeholders', () => {
    for (const name of signalNames) {
      expect(defaultTemplates[name], name).toBeTruthy();
      expect(unknownPlaceholders(defaultTemplates[name]), name).toEqual([]);
    }
  });

  it('renders target matchers, leaving no stray commas when fields are unset', () => {
    const template = 'max (m{container!="", $container}) + rate(n{$pod, a="b,"}[$window])';
    expect(
      renderTemplate(template, { namespace: 'shop', workload: 'checkout', container: 'app' }, options),
    ).toBe(
      'max (m{container!="", namespace="shop", pod=~"checkout-.*", container="app"})' +
        ' + rate(n{namespace="shop", pod=~"checkout-.*", a="b,"}[5m])',
    );
    expect(renderTemplate(template, {}, options)).toBe('max (m{container!=""}) + rate(n{a="b,"}[5m])');
    expect(renderTemplate('m{$node}', { node: 'n.1' }, options)).toBe('m{instance=~"n\\\\.1(:[0-9]+)?"}');
    expect(renderTemplate('m{$pod}', { pod: 'p-1', workload: 'ignored' }, options)).toBe('m{pod="p-1"}');
  });

  it('matches the cluster only when a cluster label is configured', () => {
    expect(renderTemplate('m{$namespace}', { cluster: 'eu', namespace: 'a' }, options)).toBe(
      'm{namespace="a"}',
    );
    expect(
      renderTemplate(
        'm{$namespace}',
        { cluster: 'eu', namespace: 'a' },
        { ...options, clusterLabel: 'cluster' },
      ),
    ).toBe('m{cluster="eu", namespace="a"}');
  });

  it('escapes label values and regex metacharacters', () => {
    expect(quote('a"}\\\n\t\u0001')).toBe('"a\\"}\\\\\\n\\t\\x01"');
    expect(escapeRegex('a.b*c(d)|e[f]{g}^$+?\\')).toBe('a\\.b\\*c\\(d\\)\\|e\\[f\\]\\{g\\}\\^\\$\\+\\?\\\\');
    expect(tidyCommas('m{, a="x,", , b=`,}`, }')).toBe('m{a="x,", b=`,}`}');
  });

  it('validates overrides in the config schema', () => {
    const parsed = prometheusConfigSchema.parse({
      url: 'http://prometheus:9090',
      signals: { http_requests_per_second: 'sum by (pod) (rate(my_requests{$pod}[$window]))' },
    });
    expect(parsed.timeoutMs).toBe(10_000);
    expect(parsed.rateWindow).toBe('5m');
    expect(prometheusConfigSchema.safeParse({ url: 'http://p', signals: { nope: 'up' } }).success).toBe(
      false,
    );
    expect(
      prometheusConfigSchema.safeParse({ url: 'http://p', signals: { consumer_lag: 'x{$podd}' } }).success,
    ).toBe(false);
    expect(prometheusConfigSchema.safeParse({ url: 'ftp://p' }).success).toBe(false);
    expect(prometheusConfigSchema.safeParse({ url: 'http://p', rateWindow: '5 minutes' }).success).toBe(
      false,
    );
    expect(prometheusConfigSchema.safeParse({ url: 'http://p', nodeLabel: 'a"b' }).success).toBe(false);
    expect(() => new PrometheusSource({ url: 'http://p', timeoutMs: -1 })).toThrow(MedicError);
    try {
      new PrometheusSource({ url: 'http://p', signals: { consumer_lag: '' } });
    } catch (error) {
      expect((error as MedicError).code).toBe(ErrorCodes.config);
      expect((error as MedicError).message).toContain('prometheus.signals.consumer_lag');
    }
  });

  it('extracts g0.expr from a generatorURL', () => {
    expect(alertExpression('http://p:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1')).toBe('up == 0');
    expect(alertExpression('/graph?g0.expr=rate%28x%5B5m%5D%29')).toBe('rate(x[5m])');
    expect(alertExpression('http://p:9090/graph?g0.tab=1')).toBeNull();
    expect(alertExpression('')).toBeNull();
    expect(alertExpression('http://[bad')).toBeNull();
  });
});
