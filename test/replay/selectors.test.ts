import { describe, expect, it } from 'vitest';
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from '../../src/adapters/replay/selectors.js';

const labels = { app: 'checkout', tier: 'web', 'app.kubernetes.io/name': 'checkout', track: 'stable' };
const matches = (selector: string, on: Record<string, string> = labels) =>
  labelsMatch(parseLabelSelector(selector), on);

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=checkout', true],
    ['app==checkout', true],
    ['app = checkout', true],
    ['app=payments', false],
    ['app!=payments', true],
    ['app!=checkout', false],
    ['missing!=x', true],
    ['app in (checkout, payments)', true],
    ['app in (payments,cart)', false],
    ['app notin (payments,cart)', true],
    ['missing notin (x)', true],
    ['app notin (checkout)', false],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app.kubernetes.io/name=checkout', true],
    ['app=checkout,tier in (web,api),!canary', true],
    ['app=checkout,tier=api', false],
    ['app=', false],
  ])('%j → %s', (selector, expected) => {
    expect(matches(selector)).toBe(expected);
  });

  it('matches an empty value only where the label is empty', () => {
    expect(matches('app=', { app: '' })).toBe(true);
  });

  it.each(['app in (a', 'app)', 'a b', '=x', 'app in x', 'app=a=b'])('rejects %j', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
  });
});

describe('field selectors', () => {
  const event = { metadata: { name: 'e1', namespace: 'shop' }, involvedObject: { kind: 'Pod', name: 'p1' } };
  it.each([
    ['involvedObject.name=p1', true],
    ['involvedObject.name==p1', true],
    ['involvedObject.name!=p1', false],
    ['involvedObject.name=p2', false],
    ['involvedObject.kind=Pod,metadata.namespace=shop', true],
    ['involvedObject.uid=', true],
  ])('%j → %s', (selector, expected) => {
    expect(fieldsMatch(parseFieldSelector(selector), event)).toBe(expected);
  });

  it('rejects terms without an operator', () => {
    expect(() => parseFieldSelector('involvedObject.name')).toThrow(SelectorError);
  });
});
