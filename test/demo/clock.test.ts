import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoClock } from '../../src/main/demo/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the demo clock', () => {
  it('starts at the case instant and keeps time continuous when its speed changes', () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T16:00:00Z') });
    const clock = demoClock(new Date('2026-03-14T19:42:00Z'));
    expect(clock.now().toISOString()).toBe('2026-03-14T19:42:00.000Z');
    vi.advanceTimersByTime(2000);
    expect(clock.now().toISOString()).toBe('2026-03-14T19:42:02.000Z');
    clock.setSpeed(100);
    expect(clock.now().toISOString()).toBe('2026-03-14T19:42:02.000Z');
    vi.advanceTimersByTime(3000);
    expect(clock.now().toISOString()).toBe('2026-03-14T19:47:02.000Z');
  });
});
