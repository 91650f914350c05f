import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/domain/errors.js';
import { renderTemplate, scanTemplate, type TemplateValues } from '../../src/runner/render-template.js';

const values = (params: Record<string, unknown>): TemplateValues => ({
  params,
  target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
  now: '2026-03-01T10:05:00Z',
});

describe('renderTemplate', () => {
  it('replaces a whole-string placeholder with the value, keeping its type', () => {
    const template = { a: '{{ params.n }}', b: '{{params.flag}}', c: ['{{ params.s }}'], d: 7 };
    expect(renderTemplate(template, values({ n: 3, flag: false, s: 'x' }))).toEqual({
      a: 3,
      b: false,
      c: ['x'],
      d: 7,
    });
  });

  it('interpolates placeholders inside longer strings as text', () => {
    expect(
      renderTemplate(
        '{{ target.namespace }}/{{ target.name }} at {{ now }}, n={{ params.n }}',
        values({ n: 2 }),
      ),
    ).toBe('shop/checkout at 2026-03-01T10:05:00Z, n=2');
  });

  it('leaves out keys of absent parameters and objects emptied that way, but keeps authored empty ones', () => {
    const template = {
      spec: { keep: {}, gone: { x: '{{ params.x }}' }, list: ['{{ params.y }}', 'fixed'], n: 1 },
    };
    expect(renderTemplate(template, values({}))).toEqual({ spec: { keep: {}, list: ['fixed'], n: 1 } });
    expect(renderTemplate({ a: '{{ params.x }}' }, values({ x: null }))).toBeUndefined();
  });

  it('never evaluates a parameter value: placeholders and code in values stay literal text', () => {
    const template = { value: '{{ params.v }}', text: 'v={{ params.v }}' };
    for (const literal of [
      '{{ now }}',
      '{{ params.other }}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a JavaScript template literal as data must stay inert
      '${process.exit(1)}',
      '__proto__',
      '{{ constructor }}',
    ]) {
      expect(renderTemplate(template, values({ v: literal, other: 'SECRET' }))).toEqual({
        value: literal,
        text: `v=${literal}`,
      });
    }
  });

  it('cannot inject keys or reach prototypes', () => {
    const injected = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    );
    const rendered = renderTemplate({ spec: '{{ params.v }}' }, values({ v: injected })) as { spec: object };
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(rendered.spec)).toBe(Object.prototype);
    // A "__proto__" key authored in a template becomes an ordinary own key, not a prototype.
    const own = renderTemplate(JSON.parse('{"__proto__": {"x": 1}}'), values({})) as Record<string, unknown>;
    expect(Object.keys(own)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(own)).toBe(Object.prototype);
  });

  it('holds for any string value: it comes out exactly as it went in', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(renderTemplate({ a: '{{ params.v }}', b: '[{{ params.v }}]' }, values({ v: text }))).toEqual({
          a: text,
          b: `[${text}]`,
        });
      }),
    );
  });

  it('refuses unknown placeholders and objects spliced into text', () => {
    expect(() => renderTemplate('{{ process.env }}', values({}))).toThrow(
      expect.objectContaining({
        code: ErrorCodes.invalidPlaybook,
        message: 'unknown placeholder {{ process.env }}',
      }),
    );
    expect(() => renderTemplate('x-{{ params.o }}', values({ o: { a: 1 } }))).toThrow(
      expect.objectContaining({ code: ErrorCodes.invalidPlaybook }),
    );
  });
});

describe('scanTemplate', () => {
  it('lists placeholders with their paths and flags malformed braces', () => {
    expect(
      scanTemplate({ spec: { a: '{{ params.x }}', list: [{ b: 'n-{{ now }}' }], bad: '{{ params.y }' } }),
    ).toEqual({
      placeholders: [
        { path: 'spec.a', name: 'params.x' },
        { path: 'spec.list[0].b', name: 'now' },
      ],
      malformed: ['spec.bad'],
    });
  });
});
