// The Workspace screen's forms over the workspace rules: pure conversions, tested in
// admin.test.ts. The rules themselves are decided in the core.
import type { CalendarSpec, WorkingWindow } from './types';

/** A target length as the form edits it: a number and a unit. */
export type DurationUnit = 'min' | 'h';
export interface DurationField {
  value: number;
  unit: DurationUnit;
}

/** Minutes as the form shows them: whole hours in hours, else minutes. */
export function toField(minutes: number): DurationField {
  return minutes % 60 === 0 ? { value: minutes / 60, unit: 'h' } : { value: minutes, unit: 'min' };
}

/** The form's value back in minutes (NaN when not a number: the core refuses it). */
export function toMinutes(f: DurationField): number {
  return Math.round(f.unit === 'h' ? f.value * 60 : f.value);
}

/** One row of the working-hours form: ISO weekday 1 = Monday … 7 = Sunday. */
export interface DayHours {
  weekday: number;
  open: boolean;
  start: string; // HH:MM
  end: string; // HH:MM
}

const hhmm = (t: string) => t.slice(0, 5);

/** The calendar's windows as seven rows (one window per day; a later window of the same
 * day is kept as it is). */
export function toDays(cal: CalendarSpec): { days: DayHours[]; extra: WorkingWindow[] } {
  const days: DayHours[] = [];
  const extra: WorkingWindow[] = [];
  for (let d = 1; d <= 7; d++) {
    const ws = cal.windows.filter((w) => w.weekday === d);
    const first = ws[0];
    days.push(
      first
        ? { weekday: d, open: true, start: hhmm(first.start), end: hhmm(first.end) }
        : { weekday: d, open: false, start: '09:00', end: '17:00' },
    );
    extra.push(...ws.slice(1));
  }
  return { days, extra };
}

/** The rows back as windows (times as HH:MM:SS). */
export function toWindows(days: DayHours[], extra: WorkingWindow[] = []): WorkingWindow[] {
  const out: WorkingWindow[] = days
    .filter((d) => d.open)
    .map((d) => ({ weekday: d.weekday, start: `${d.start}:00`, end: `${d.end}:00` }));
  return [...out, ...extra.filter((e) => days.find((d) => d.weekday === e.weekday)?.open)];
}

/** Categories typed one per line (or comma separated) as the list the core checks. */
export function parseCategories(text: string): string[] {
  return text
    .split(/[\n,，]/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** A v4 UUID (a rule's or plan's id; the core keeps it). */
export function newId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
