import { describe, expect, it } from 'vitest';
import { buildTimeline, describeEvent } from './timeline';
import type { CommentView, EventView, UserRef } from './types';

const li: UserRef = { id: '1', email: 'li@x.cn', name: '李伟' };
const comment = (id: string, at: string, visibility: 'public' | 'internal'): CommentView => ({
  id,
  author: li,
  visibility,
  body: id,
  created_at: at,
});
const event = (field: string, at: string, from: string | null = null, to: string | null = null): EventView => ({
  actor: li,
  field,
  from,
  to,
  at,
});

describe('buildTimeline', () => {
  it('merges replies, notes and events oldest first', () => {
    const items = buildTimeline({
      comments: [comment('note', '2026-01-01T10:05:00Z', 'internal'), comment('reply', '2026-01-01T10:01:00Z', 'public')],
      events: [event('created', '2026-01-01T10:00:00Z', null, 'new'), event('status', '2026-01-01T10:10:00Z', 'new', 'open')],
    });
    expect(items.map((i) => i.type)).toEqual(['event', 'reply', 'note', 'event']);
  });

  it('hides bookkeeping events and puts an event before a comment made at the same instant', () => {
    const at = '2026-01-01T10:01:00Z';
    const items = buildTimeline({
      comments: [comment('reply', at, 'public')],
      events: [event('first_response_at', at, null, at), event('status', at, 'new', 'open')],
    });
    expect(items.map((i) => i.type)).toEqual(['event', 'reply']);
  });
});

describe('describeEvent', () => {
  it('translates statuses and values', () => {
    expect(describeEvent(event('status', '', 'new', 'in_progress'), 'en')).toBe('李伟 changed status from New to In progress');
    expect(describeEvent(event('status', '', 'new', 'in_progress'), 'zh')).toBe('李伟 将状态从「新建」改为「处理中」');
    expect(describeEvent(event('priority', '', 'P3', 'P1'), 'en')).toBe('李伟 changed Priority from P3 · Normal to P1 · Urgent');
    expect(describeEvent(event('created', '', null, 'new'), 'zh')).toBe('李伟 创建了工单');
    expect(describeEvent({ ...event('status', '', 'resolved', 'closed'), actor: null }, 'en')).toBe(
      'System changed status from Resolved to Closed',
    );
  });
});

describe('imported tickets', () => {
  it('name the number they had in the local workspace, in both languages', () => {
    const ev = { actor: { id: 'u', email: 'a@b.c', name: 'Li Wei' }, field: 'imported', from: 'HD-12', to: 'open', at: '2026-01-01T00:00:00Z' };
    expect(describeEvent(ev, 'en')).toBe('Li Wei brought this ticket over from a local workspace, where it was HD-12');
    expect(describeEvent(ev, 'zh')).toBe('Li Wei 从本地工作区迁入了此工单（原编号 HD-12）');
  });
});

describe('link events', () => {
  it('name the kind and the other ticket in both languages', () => {
    const ev = { actor: { id: 'u', email: 'a@b.c', name: 'Li Wei' }, field: 'link', from: null, to: 'duplicate_of HD-7', at: '2026-01-01T00:00:00Z' };
    expect(describeEvent(ev, 'en')).toBe('Li Wei linked this ticket: Duplicate of HD-7');
    expect(describeEvent(ev, 'zh')).toBe('Li Wei 关联了工单：重复于 HD-7');
    const gone = { ...ev, field: 'unlink', from: 'related HD-9', to: null };
    expect(describeEvent(gone, 'en')).toBe('Li Wei removed the link to HD-9');
  });
});

describe('a resolve', () => {
  it('shows once although it records the status and the report', () => {
    const items = buildTimeline({
      comments: [],
      events: [
        event('status', '2026-01-02T10:00:00Z', 'in_progress', 'resolved'),
        event('resolution', '2026-01-02T10:00:00Z', null, 'worn roller'),
      ],
    });
    expect(items).toHaveLength(1);
    expect(describeEvent((items[0] as { event: EventView }).event, 'en')).toContain('resolved the ticket');
  });
});

describe('escalations', () => {
  const at = '2026-12-05T09:00:00Z';
  const line = JSON.stringify({ from: 'L1', to: 'L2', reason: '需要数据库权限', impact: '财务部 12 人无法开票' });

  it('shows one line for an escalation (its tier change is in it)', () => {
    const items = buildTimeline({ comments: [], events: [event('tier', at, 'L1', 'L2'), event('escalation', at, null, line)] });
    expect(items.map((i) => (i.type === 'event' ? i.event.field : i.type))).toEqual(['escalation']);
  });

  it('words escalations up and down with reason and impact in both languages', () => {
    expect(describeEvent(event('escalation', at, null, line), 'zh')).toBe('李伟 将工单升级 L1 → L2：需要数据库权限 业务影响：财务部 12 人无法开票');
    const down = JSON.stringify({ from: 'L3', to: 'L1', reason: 'access granted', impact: null });
    expect(describeEvent(event('escalation', at, null, down), 'en')).toBe('李伟 moved the ticket back L3 → L1: access granted');
  });

  it('words an escalation rule’s SLA alert in both languages', () => {
    const alert = JSON.stringify({ rule: '超时转二线', event: 'breached', target: 'first_response', due_at: at, notify: 'u-1' });
    expect(describeEvent(event('sla_alert', at, null, alert), 'zh')).toBe('李伟：首次响应 — 已违约（升级规则“超时转二线”已提醒团队负责人）');
    const quiet = JSON.stringify({ rule: 'P1 watch', event: 'at_risk', target: 'resolution', due_at: at });
    expect(describeEvent(event('sla_alert', at, null, quiet), 'en')).toBe('李伟: Resolution — At risk (escalation rule “P1 watch”)');
  });
});
