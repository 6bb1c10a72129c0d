// Localised durations, countdowns and times. Pure: the language and "now" are arguments.
import { intlLocale, translate } from './i18n/index.svelte';
import type { Language } from './types';

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
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(intlLocale(lang), {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
  }).format(d);
}

/** Full date and time for tooltips and the details panel. */
export function formatDateTime(iso: string, lang: Language): string {
  return new Intl.DateTimeFormat(intlLocale(lang), {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
}

/** 1234 → "1,234". */
export function formatCount(n: number, lang: Language): string {
  return new Intl.NumberFormat(intlLocale(lang)).format(n);
}
