// The dashboard's pure parts: periods as whole days in the workspace's zone, and how a figure
// reads (tested in reports.test.ts). Every figure itself is computed by the store.
import { isoToZoned, zonedToIso } from './format';

export type RangeKey = '7d' | '30d' | 'month' | 'last_month' | '90d';
export const RANGES: readonly RangeKey[] = ['7d', '30d', 'month', 'last_month', '90d'];

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic on the date alone). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The period of a range ending today (`today`: `YYYY-MM-DD` in the workspace's zone), as
 * local midnights `[since, until)`. */
export function rangeDays(range: RangeKey, today: string): { since: string; until: string } {
  const tomorrow = addDays(today, 1);
  const first = `${today.slice(0, 7)}-01`;
  switch (range) {
    case '7d':
      return { since: addDays(tomorrow, -7), until: tomorrow };
    case '30d':
      return { since: addDays(tomorrow, -30), until: tomorrow };
    case '90d':
      return { since: addDays(tomorrow, -90), until: tomorrow };
    case 'month':
      return { since: first, until: tomorrow };
    case 'last_month': {
      const prev = addDays(first, -1);
      return { since: `${prev.slice(0, 7)}-01`, until: first };
    }
  }
}

/** A range as the ISO instants the store counts by (local midnights in the display zone). */
export function rangePeriod(range: RangeKey, now: Date = new Date()): { since: string; until: string } {
  const today = isoToZoned(now.toISOString()).slice(0, 10);
  const { since, until } = rangeDays(range, today);
  return { since: zonedToIso(`${since}T00:00`), until: zonedToIso(`${until}T00:00`) };
}

/** A share as people read it: `63.6%` (— for none). */
export function percent(v: number | null | undefined): string {
  return v == null ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** How a figure moved against the previous period: +/− and whether that is good. */
export function trend(
  current: number | null | undefined,
  previous: number | null | undefined,
  better: 'up' | 'down',
): { delta: number; good: boolean } | null {
  if (current == null || previous == null || current === previous) return null;
  const delta = current - previous;
  return { delta, good: better === 'up' ? delta > 0 : delta < 0 };
}
