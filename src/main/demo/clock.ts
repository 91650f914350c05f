import type { Clock } from '../../ports/clock.js';

/** The case's clock, whose speed can change: real speed while a person reads, faster while verify waits. */
export interface DemoClock extends Clock {
  setSpeed(factor: number): void;
}

export function demoClock(start: Date, factor = 1): DemoClock {
  let anchorCase = start.getTime();
  let anchorReal = Date.now();
  let speed = factor;
  const now = () => new Date(anchorCase + (Date.now() - anchorReal) * speed);
  return {
    now,
    setSpeed(next) {
      anchorCase = now().getTime();
      anchorReal = Date.now();
      speed = next;
    },
  };
}
