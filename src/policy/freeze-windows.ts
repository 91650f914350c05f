import type { FreezeWindow, Weekday } from './policy-schema.js';
import { weekdays } from './policy-schema.js';

interface LocalTime {
  day: Weekday;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(now: Date, timeZone: string): LocalTime {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(now).map((part) => [part.type, part.value]));
  const day = (parts['weekday'] ?? '').toLowerCase().slice(0, 3) as Weekday;
  return { day, minutes: Number(parts['hour']) * 60 + Number(parts['minute']) };
}

function minutesOf(hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

function previousDay(day: Weekday): Weekday {
  const index = weekdays.indexOf(day);
  return weekdays[(index + weekdays.length - 1) % weekdays.length] ?? day;
}

function isActive(window: FreezeWindow, now: Date): boolean {
  if ('start' in window) {
    const at = now.getTime();
    return at >= Date.parse(window.start) && at < Date.parse(window.end);
  }
  const { day, minutes } = localTime(now, window.timezone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from < to) return window.days.includes(day) && minutes >= from && minutes < to;
  // Past midnight: the part before midnight belongs to a listed day, the part after to the day after it.
  return (
    (window.days.includes(day) && minutes >= from) || (window.days.includes(previousDay(day)) && minutes < to)
  );
}

function span(window: FreezeWindow): string {
  if ('start' in window) return `${window.start} to ${window.end}`;
  return `${window.days.join(', ')} ${window.from}-${window.to} ${window.timezone}`;
}

/** The freeze windows in effect at `now`, with a readable span for each. */
export function activeFreezeWindows(
  windows: readonly FreezeWindow[],
  now: Date,
): Array<{ name: string; span: string }> {
  return windows
    .filter((window) => isActive(window, now))
    .map((window) => ({ name: window.name, span: span(window) }));
}
