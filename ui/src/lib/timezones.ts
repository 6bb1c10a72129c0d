// Time zones offered at first run: common IANA zones, plus the one the OS reports.
export const COMMON_TIMEZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Australia/Sydney',
  'Australia/Perth',
  'Pacific/Auckland',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Lagos',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Phoenix',
  'America/Anchorage',
  'America/Toronto',
  'America/Vancouver',
  'America/Mexico_City',
  'America/Sao_Paulo',
  'America/Buenos_Aires',
  'Pacific/Honolulu',
  'UTC',
] as const;

export function detectTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The common zones with `current` added (sorted) when it is not among them. */
export function timezoneChoices(current: string): string[] {
  const list: string[] = [...COMMON_TIMEZONES];
  if (current && !list.includes(current)) list.push(current);
  return list.sort((a, b) => a.localeCompare(b));
}

/** "Asia/Shanghai (UTC+08:00)" */
export function timezoneLabel(zone: string, at: Date = new Date()): string {
  try {
    const parts = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at);
    const offset = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    return `${zone.replaceAll('_', ' ')} (${offset === 'GMT' ? 'UTC' : offset.replace('GMT', 'UTC')})`;
  } catch {
    return zone;
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function looksLikeEmail(s: string): boolean {
  return EMAIL.test(s.trim());
}
