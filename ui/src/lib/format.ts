// Localised durations, countdowns and times. Pure: the language and "now" are arguments.
import { intlLocale, translate } from './i18n/index.svelte';
import type { Language } from './types';

/** The IANA zone times are shown in (the workspace's unless the user chose this computer's);
 * undefined = this computer's. */
let displayZone: string | undefined;

/** This computer's zone. */
export function deviceZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Shows times in `zone` from now on (undefined: this computer's). */
export function setDisplayZone(zone: string | undefined): void {
  displayZone = zone && zone !== deviceZone() ? zone : undefined;
}

/** The zone times are shown in. */
export function displayZoneName(): string {
  return displayZone ?? deviceZone();
}

function yearIn(d: Date): number {
  return Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: displayZone }).format(d));
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/**
 * A compact duration: `2d 4h`, `3h 12m`, `14m 05s`, `42s` (en) or `2天4小时`, `14分05秒` (zh).
 * Seconds show only under an hour, where a countdown should visibly tick.
 */
export function formatDuration(totalSecs: number, lang: Language): string {
  const secs = Math.floor(Math.abs(totalSecs));
  const unit = (u: 'd' | 'h' | 'm' | 's', n: number | string) =>
    translate(lang, `duration.${u}`, { n });
  const join = (a: string, b: string) => translate(lang, 'duration.join', { a, b });
  const d = Math.floor(secs / DAY);
  const h = Math.floor((secs % DAY) / HOUR);
  const m = Math.floor((secs % HOUR) / MINUTE);
  const s = secs % MINUTE;
  if (d > 0) return h > 0 ? join(unit('d', d), unit('h', h)) : unit('d', d);
  if (h > 0) return m > 0 ? join(unit('h', h), unit('m', m)) : unit('h', h);
  if (m > 0) return join(unit('m', m), unit('s', String(s).padStart(2, '0')));
  return unit('s', s);
}

/** Logged time: `45m`, `2h 5m` (en) or `45分`, `2小时5分` (zh), days never (a week of work
 * is 40h, not 1d 16h). */
export function formatMinutes(total: number, lang: Language): string {
  const m = Math.max(0, Math.round(total));
  const h = Math.floor(m / 60);
  const unit = (u: 'h' | 'm', n: number) => translate(lang, `duration.${u}`, { n });
  if (h === 0) return unit('m', m);
  if (m % 60 === 0) return unit('h', h);
  return translate(lang, 'duration.join', { a: unit('h', h), b: unit('m', m % 60) });
}

/** Seconds from `now` until `iso` (negative when `iso` is in the past). */
export function secondsUntil(iso: string, now: number): number {
  return Math.round((Date.parse(iso) - now) / 1000);
}

/** "just now", "5 minutes ago", "in 3 hours", "yesterday"; a date beyond a week. */
export function formatRelative(iso: string, now: number, lang: Language): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return translate(lang, 'time.justNow');
  if (abs >= 7 * DAY) return formatDate(iso, lang, now);
  const rtf = new Intl.RelativeTimeFormat(intlLocale(lang), { numeric: 'auto' });
  if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  return rtf.format(Math.round(diff / DAY), 'day');
}

/** A short date, with the year only when it differs from now's. */
export function formatDate(iso: string, lang: Language, now: number = Date.now()): string {
  const d = new Date(iso);
  const sameYear = yearIn(d) === yearIn(new Date(now));
  return new Intl.DateTimeFormat(intlLocale(lang), {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: displayZone,
  }).format(d);
}

/** Full date and time for tooltips and the details panel, in the display zone; with the
 * zone's offset when it is not this computer's (where "10:00" alone would be ambiguous). */
export function formatDateTime(iso: string, lang: Language): string {
  const base = new Intl.DateTimeFormat(intlLocale(lang), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: displayZone,
  }).format(new Date(iso));
  if (!displayZone) return base;
  const offset = new Intl.DateTimeFormat('en', { timeZone: displayZone, timeZoneName: 'shortOffset' })
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName')?.value;
  return offset ? `${base} (${offset})` : base;
}

/** 1234 → "1,234". */
export function formatCount(n: number, lang: Language): string {
  return new Intl.NumberFormat(intlLocale(lang)).format(n);
}

/** A time of day in the display zone: `09:30`. */
export function formatClock(iso: string, lang: Language): string {
  return new Intl.DateTimeFormat(intlLocale(lang), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: displayZone,
  }).format(new Date(iso));
}

/** Is `iso` on the same calendar day as `now`, in the display zone? */
export function sameDay(iso: string, now: number): boolean {
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: displayZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return day(new Date(iso)) === day(new Date(now));
}

/** `d`'s calendar fields in the display zone (24-hour). */
function zonedFields(d: Date): (type: string) => string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: displayZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(d);
  return (type) => parts.find((p) => p.type === type)?.value ?? '00';
}

/** A `datetime-local` value (`2026-12-07T09:00`) read in the display zone, as an ISO instant. */
export function zonedToIso(local: string): string {
  if (!displayZone) return new Date(local).toISOString();
  const guess = new Date(`${local}:00Z`);
  const get = (type: string) => Number(zonedFields(guess)(type));
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return new Date(guess.getTime() - (asUtc - guess.getTime())).toISOString();
}

/** An instant as a `datetime-local` value in the display zone. */
export function isoToZoned(iso: string): string {
  const get = zonedFields(new Date(iso));
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
