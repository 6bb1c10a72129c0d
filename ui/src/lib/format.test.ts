import { describe, expect, it } from 'vitest';
import { deviceZone, formatDate, formatDateTime, formatDuration, formatMinutes, formatRelative, isoToZoned, secondsUntil, setDisplayZone, zonedToIso } from './format';
import { liveState, primaryTarget, slaText } from './sla';
import type { SlaTarget, SlaView } from './types';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const at = (secs: number) => new Date(NOW + secs * 1000).toISOString();

describe('formatDuration', () => {
  it('is compact in English', () => {
    expect(formatDuration(42, 'en')).toBe('42s');
    expect(formatDuration(14 * 60 + 5, 'en')).toBe('14m 05s');
    expect(formatDuration(3 * 3600 + 12 * 60 + 59, 'en')).toBe('3h 12m');
    expect(formatDuration(2 * 3600, 'en')).toBe('2h');
    expect(formatDuration(2 * 86400 + 4 * 3600, 'en')).toBe('2d 4h');
    expect(formatDuration(5 * 86400 + 59, 'en')).toBe('5d');
  });

  it('speaks Chinese without spaces', () => {
    expect(formatDuration(42, 'zh')).toBe('42秒');
    expect(formatDuration(14 * 60 + 5, 'zh')).toBe('14分05秒');
    expect(formatDuration(3 * 3600 + 12 * 60, 'zh')).toBe('3小时12分');
    expect(formatDuration(2 * 86400 + 4 * 3600, 'zh')).toBe('2天4小时');
  });

  it('uses the magnitude of negative durations', () => {
    expect(formatDuration(-90, 'en')).toBe('1m 30s');
  });
});

describe('formatRelative', () => {
  it('says just now within 45 seconds', () => {
    expect(formatRelative(at(-10), NOW, 'en')).toBe('just now');
    expect(formatRelative(at(-10), NOW, 'zh')).toBe('刚刚');
  });

  it('uses minutes, hours and days, past and future', () => {
    expect(formatRelative(at(-5 * 60), NOW, 'en')).toBe('5 minutes ago');
    expect(formatRelative(at(3 * 3600), NOW, 'en')).toBe('in 3 hours');
    expect(formatRelative(at(-86400), NOW, 'en')).toBe('yesterday');
    expect(formatRelative(at(-5 * 60), NOW, 'zh')).toBe('5分钟前');
    expect(formatRelative(at(3 * 3600), NOW, 'zh')).toBe('3小时后');
    expect(formatRelative(at(-86400), NOW, 'zh')).toBe('昨天');
  });

  it('shows a date beyond a week', () => {
    expect(formatRelative('2026-11-01T12:00:00Z', NOW, 'en')).toBe('Nov 1');
    expect(formatRelative('2026-11-01T12:00:00Z', NOW, 'zh')).toBe('11月1日');
    expect(formatRelative('2025-11-01T12:00:00Z', NOW, 'en')).toBe('Nov 1, 2025');
  });
});

describe('secondsUntil', () => {
  it('is negative in the past', () => {
    expect(secondsUntil(at(-30), NOW)).toBe(-30);
    expect(secondsUntil(at(90), NOW)).toBe(90);
  });
});

function target(over: Partial<SlaTarget>): SlaTarget {
  return {
    target: 'resolution',
    state: 'running',
    due_at: at(3600),
    at_risk_at: at(900),
    completed_at: null,
    remaining_secs: 3600,
    cycle: 0,
    ...over,
  };
}

describe('SLA countdown', () => {
  it('moves a running target to at risk and breached as time passes', () => {
    const t = target({});
    expect(liveState(t, NOW)).toBe('running');
    expect(liveState(t, NOW + 1000 * 1000)).toBe('at_risk');
    expect(liveState(t, NOW + 3600 * 1000)).toBe('breached');
  });

  it('keeps paused, met and missed as the core said', () => {
    expect(liveState(target({ state: 'paused', due_at: null, at_risk_at: null }), NOW)).toBe('paused');
    expect(liveState(target({ state: 'met', due_at: at(-10) }), NOW)).toBe('met');
    expect(liveState(target({ state: 'missed' }), NOW)).toBe('missed');
  });

  it('writes the badge text in both languages', () => {
    expect(slaText(target({}), NOW, 'en')).toBe('1h left');
    expect(slaText(target({}), NOW, 'zh')).toBe('剩余 1小时');
    expect(slaText(target({ due_at: at(-125) }), NOW, 'en')).toBe('2m 05s overdue');
    expect(slaText(target({ due_at: at(-125) }), NOW, 'zh')).toBe('已超时 2分05秒');
    // Half a second before it is due: "1s left", never "0s left"; at the instant, overdue.
    expect(slaText(target({ due_at: new Date(NOW + 400).toISOString() }), NOW, 'en')).toBe('1s left');
    expect(slaText(target({ due_at: new Date(NOW).toISOString() }), NOW, 'en')).toBe('0s overdue');
    expect(slaText(target({ state: 'paused', due_at: null, at_risk_at: null, remaining_secs: 5400 }), NOW, 'en')).toBe(
      'Paused · 1h 30m left',
    );
    expect(slaText(target({ due_at: null, remaining_secs: 600 }), NOW, 'zh')).toBe('剩余 10分00秒');
    expect(slaText(target({ state: 'missed' }), NOW, 'zh')).toBe('未达成');
    expect(slaText(target({ state: 'met', completed_at: at(-120) }), NOW, 'en')).toBe('Met 2 minutes ago');
  });

  it('picks the most urgent target for a list row', () => {
    const sla: SlaView = {
      state: 'running',
      next_due_at: at(600),
      first_response: target({ target: 'first_response', state: 'met', completed_at: at(-60) }),
      next_update: target({ target: 'next_update', due_at: at(600), at_risk_at: at(300) }),
      resolution: target({ due_at: at(7200), at_risk_at: at(5000) }),
    };
    expect(primaryTarget(sla, NOW)?.target).toBe('next_update');
    // Once next update is breached it stays the one shown.
    expect(primaryTarget(sla, NOW + 700 * 1000)?.target).toBe('next_update');
    expect(primaryTarget({ ...sla, next_update: null, resolution: null }, NOW)?.state).toBe('met');
    expect(primaryTarget({ state: null, next_due_at: null, first_response: null, next_update: null, resolution: null }, NOW)).toBeNull();
  });
});

describe('display time zone', () => {
  it('shows times in the workspace zone, with its offset when it is not this computer’s', () => {
    setDisplayZone('Asia/Shanghai');
    const zoneIsLocal = deviceZone() === 'Asia/Shanghai';
    const zh = formatDateTime('2026-11-28T02:00:00Z', 'zh');
    expect(zh).toContain('10:00');
    if (!zoneIsLocal) expect(zh).toContain('GMT+8');
    const en = formatDateTime('2026-11-28T02:00:00Z', 'en');
    expect(en).toMatch(/10:00/);
    // Late on Dec 31 UTC is already the new year in Shanghai.
    expect(formatDate('2026-12-31T20:00:00Z', 'en', Date.parse('2027-01-01T08:00:00Z'))).toBe('Jan 1');
    setDisplayZone(undefined);
    expect(formatDateTime('2026-11-28T02:00:00Z', 'en')).not.toContain('GMT');
  });
});

describe('datetime-local values in the display zone', () => {
  it('round-trip through an instant', () => {
    setDisplayZone('Asia/Shanghai');
    expect(zonedToIso('2026-12-07T09:00')).toBe('2026-12-07T01:00:00.000Z');
    expect(isoToZoned('2026-12-07T01:00:00.000Z')).toBe('2026-12-07T09:00');
    setDisplayZone(undefined);
  });
});

describe('formatMinutes', () => {
  it('reads as hours and minutes, never days', () => {
    expect(formatMinutes(45, 'en')).toBe('45m');
    expect(formatMinutes(120, 'en')).toBe('2h');
    expect(formatMinutes(125, 'en')).toBe('2h 5m');
    expect(formatMinutes(2400, 'en')).toBe('40h');
    expect(formatMinutes(125, 'zh')).toBe('2小时5分');
  });
});
