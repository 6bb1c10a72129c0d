import { describe, expect, it } from 'vitest';
import { addDays, percent, rangeDays, trend } from './reports';

describe('report periods', () => {
  it('are whole days ending today', () => {
    expect(rangeDays('7d', '2026-12-06')).toEqual({ since: '2026-11-30', until: '2026-12-07' });
    expect(rangeDays('30d', '2026-12-06')).toEqual({ since: '2026-11-07', until: '2026-12-07' });
    expect(rangeDays('month', '2026-12-06')).toEqual({ since: '2026-12-01', until: '2026-12-07' });
    expect(rangeDays('last_month', '2026-12-06')).toEqual({ since: '2026-11-01', until: '2026-12-01' });
    expect(rangeDays('last_month', '2026-01-15')).toEqual({ since: '2025-12-01', until: '2026-01-01' });
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('figures', () => {
  it('read as percents and trends', () => {
    expect(percent(7 / 11)).toBe('63.6%');
    expect(percent(null)).toBe('—');
    expect(trend(0.6, 0.5, 'up')).toEqual({ delta: 0.09999999999999998, good: true });
    expect(trend(900, 600, 'down')?.good).toBe(false);
    expect(trend(1, 1, 'up')).toBeNull();
    expect(trend(null, 1, 'up')).toBeNull();
  });
});
