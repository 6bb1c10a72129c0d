import { describe, expect, it } from 'vitest';
import { parseCategories, toDays, toField, toMinutes, toWindows } from './admin';
import type { CalendarSpec } from './types';

const cal: CalendarSpec = {
  name: 'Business hours',
  timezone: 'Asia/Shanghai',
  always_open: false,
  windows: [
    { weekday: 1, start: '09:00:00', end: '12:00:00' },
    { weekday: 1, start: '13:00:00', end: '18:00:00' },
    { weekday: 3, start: '09:00:00', end: '17:00:00' },
  ],
  holidays: ['2026-10-01'],
};

describe('admin forms', () => {
  it('shows whole hours in hours and round-trips minutes', () => {
    expect(toField(240)).toEqual({ value: 4, unit: 'h' });
    expect(toField(45)).toEqual({ value: 45, unit: 'min' });
    expect(toMinutes({ value: 1.5, unit: 'h' })).toBe(90);
    expect(toMinutes(toField(2400))).toBe(2400);
  });

  it('turns windows into seven day rows and back, keeping a second window of a day', () => {
    const { days, extra } = toDays(cal);
    expect(days).toHaveLength(7);
    expect(days[0]).toEqual({ weekday: 1, open: true, start: '09:00', end: '12:00' });
    expect(days[1].open).toBe(false);
    expect(extra).toHaveLength(1);
    days[1] = { ...days[1], open: true, start: '08:30', end: '16:30' };
    const windows = toWindows(days, extra);
    expect(windows).toContainEqual({ weekday: 2, start: '08:30:00', end: '16:30:00' });
    expect(windows).toContainEqual({ weekday: 1, start: '13:00:00', end: '18:00:00' });
    days[0].open = false;
    expect(toWindows(days, extra).some((w) => w.weekday === 1)).toBe(false);
  });

  it('reads categories one per line or comma separated, Chinese commas too', () => {
    expect(parseCategories('hardware\n printers ,vpn，网络\n\n')).toEqual(['hardware', 'printers', 'vpn', '网络']);
  });
});
