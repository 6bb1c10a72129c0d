// The ticket's timeline: public replies, internal notes and audit events, oldest first.
import { translate, type MessageKey } from './i18n/index.svelte';
import { en } from './i18n/en';
import type { CommentView, EventView, Language, TicketDetail } from './types';

export type TimelineItem =
  | { type: 'reply' | 'note'; at: string; key: string; comment: CommentView }
  | { type: 'event'; at: string; key: string; event: EventView };

/** Event fields that add nothing a reader needs (the reply itself is in the timeline). */
const HIDDEN_FIELDS = new Set([
  'first_response_at',
  'updated_at',
  'description',
  'attachment',
  'note_attachment',
  // The follow-up panel names each level's caller.
  'callback_owner',
  // It follows the requester (whose change is its own line).
  'organization_id',
]);

export function buildTimeline(detail: Pick<TicketDetail, 'comments' | 'events'>): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const c of detail.comments) {
    items.push({
      type: c.visibility === 'internal' ? 'note' : 'reply',
      at: c.created_at,
      key: `c-${c.id}`,
      comment: c,
    });
  }
  // One resolve writes the status change and the service report together: show it once.
  const resolvedAt = new Set(detail.events.filter((e) => e.field === 'status' && e.to === 'resolved').map((e) => e.at));
  // So does an escalation: its line names both tiers.
  const escalatedAt = new Set(detail.events.filter((e) => e.field === 'escalation').map((e) => e.at));
  detail.events.forEach((e, i) => {
    if (HIDDEN_FIELDS.has(e.field)) return;
    if (e.field === 'resolution' && resolvedAt.has(e.at)) return;
    if (e.field === 'tier' && escalatedAt.has(e.at)) return;
    items.push({ type: 'event', at: e.at, key: `e-${i}-${e.field}`, event: e });
  });
  // Stable: at equal times events (kept in their recorded order) come before comments.
  return items
    .map((item, i) => ({ item, i, t: Date.parse(item.at) }))
    .sort((a, b) => a.t - b.t || rank(a.item) - rank(b.item) || a.i - b.i)
    .map((x) => x.item);
}

function rank(item: TimelineItem): number {
  return item.type === 'event' ? 0 : 1;
}

/** A translated value of a field (status, priority, kind, category, tier), or the raw value. */
function valueLabel(lang: Language, field: string, value: string | null): string {
  if (value == null || value === '') return '—';
  const prefix: Record<string, string> = {
    status: 'status',
    priority: 'priority',
    kind: 'kind',
    category: 'category',
    channel: 'channel',
  };
  const key = prefix[field] ? `${prefix[field]}.${value}` : '';
  if (key && key in en) {
    const label = translate(lang, key as MessageKey);
    return field === 'priority' ? `${value} · ${label}` : label;
  }
  return value;
}

function fieldLabel(lang: Language, field: string): string {
  const keys: Record<string, MessageKey> = {
    title: 'field.title',
    priority: 'field.priority',
    kind: 'field.kind',
    category: 'field.category',
    tier: 'field.tier',
    status: 'field.status',
    assignee_id: 'field.assignee',
    team_id: 'field.team',
    channel: 'field.channel',
    tags: 'field.tags',
    site: 'field.site',
    requester_id: 'field.requester',
  };
  return keys[field] ? translate(lang, keys[field]) : field.replaceAll('_', ' ');
}

/** One line describing an audit event, e.g. "Li Wei changed status from New to Open". */
export function describeEvent(ev: EventView, lang: Language): string {
  const actor = ev.actor?.name ?? translate(lang, 'timeline.system');
  switch (ev.field) {
    case 'created':
      return translate(lang, 'timeline.event.created', { actor });
    case 'imported':
      // from: the number it had in the local workspace it came from (may be absent).
      return ev.from
        ? translate(lang, 'timeline.event.imported', { actor, number: ev.from })
        : translate(lang, 'timeline.event.importedNoNumber', { actor });
    case 'status':
      if (ev.to === 'resolved') return translate(lang, 'timeline.event.resolved', { actor });
      return ev.from
        ? translate(lang, 'timeline.event.status', {
            actor,
            from: valueLabel(lang, 'status', ev.from),
            to: valueLabel(lang, 'status', ev.to),
          })
        : translate(lang, 'timeline.event.statusNoFrom', { actor, to: valueLabel(lang, 'status', ev.to) });
    case 'assignee_id':
    case 'assignee':
    case 'team_id':
      return translate(lang, 'timeline.event.assigned', { actor });
    case 'requester_id':
      return translate(lang, 'timeline.event.requester', { actor });
    case 'csat':
      return translate(lang, 'timeline.event.rated', { actor });
    case 'resolution':
      return translate(lang, 'timeline.event.resolved', { actor });
    case 'link':
    case 'unlink': {
      // "duplicate_of HD-7": the kind from this ticket's side, then the other ticket.
      const [kind, ticket] = (ev.to ?? ev.from ?? '').split(' ');
      const kindKey = `links.kind.${kind}`;
      const kindLabel = kindKey in en ? translate(lang, kindKey as MessageKey) : kind;
      return ev.field === 'link'
        ? translate(lang, 'timeline.event.link', { actor, kind: kindLabel, ticket: ticket ?? '' })
        : translate(lang, 'timeline.event.unlink', { actor, ticket: ticket ?? '' });
    }
    case 'close_reason':
      return translate(lang, 'timeline.event.closeReason', { reason: ev.to ?? '' });
    case 'diagnosis': {
      try {
        const d = JSON.parse(ev.to ?? '{}') as { step: number; total: number; instruction: string; as_expected: boolean; note: string | null };
        const line = translate(lang, d.as_expected ? 'timeline.event.diagnosisOk' : 'timeline.event.diagnosisNot', {
          actor,
          step: d.step,
          total: d.total,
          instruction: d.instruction,
        });
        return d.note ? `${line} — ${d.note}` : line;
      } catch {
        return translate(lang, 'timeline.event.other', { actor, field: ev.field });
      }
    }
    case 'merged_from':
      return translate(lang, 'timeline.event.mergedFrom', { actor, number: ev.to ?? '' });
    case 'merged_into':
      return translate(lang, 'timeline.event.mergedInto', { actor, number: ev.to ?? '' });
    case 'escalation': {
      try {
        const d = JSON.parse(ev.to ?? '{}') as { from: string; to: string; reason: string; impact: string | null };
        const up = d.to > d.from;
        const line = translate(lang, up ? 'timeline.event.escalated' : 'timeline.event.deescalated', {
          actor,
          from: d.from,
          to: d.to,
          reason: d.reason,
        });
        return d.impact ? `${line} ${translate(lang, 'timeline.event.impact', { impact: d.impact })}` : line;
      } catch {
        return translate(lang, 'timeline.event.other', { actor, field: ev.field });
      }
    }
    case 'sla_alert': {
      // An escalation rule's alert (agents only): which rule, which target, which event.
      try {
        const d = JSON.parse(ev.to ?? '{}') as { rule: string; event: string; target: string; notify?: string };
        return translate(lang, d.notify ? 'timeline.event.slaAlertLead' : 'timeline.event.slaAlert', {
          actor,
          rule: d.rule,
          target: translate(lang, `sla.${d.target}` as MessageKey),
          state: translate(lang, `sla.state.${d.event}` as MessageKey),
        });
      } catch {
        return translate(lang, 'timeline.event.other', { actor, field: ev.field });
      }
    }
    case 'callback':
      return translate(lang, 'timeline.event.callback', { level: levelLabel(lang, ev.to) });
    case 'callback_outcome':
      return translate(lang, 'timeline.event.callbackOutcome', {
        actor,
        level: levelLabel(lang, ev.from),
        outcome: outcomeLabel(lang, ev.to),
      });
    default: {
      const field = fieldLabel(lang, ev.field);
      if (ev.to == null || ev.to === '') return translate(lang, 'timeline.event.fieldCleared', { actor, field });
      if (ev.from == null || ev.from === '')
        return translate(lang, 'timeline.event.fieldSet', { actor, field, to: valueLabel(lang, ev.field, ev.to) });
      return translate(lang, 'timeline.event.field', {
        actor,
        field,
        from: valueLabel(lang, ev.field, ev.from),
        to: valueLabel(lang, ev.field, ev.to),
      });
    }
  }
}

function levelLabel(lang: Language, level: string | null): string {
  const key = `followup.level.${level}`;
  return key in en ? translate(lang, key as MessageKey) : (level ?? '');
}

function outcomeLabel(lang: Language, outcome: string | null): string {
  const key = `followup.outcome.${outcome}`;
  return key in en ? translate(lang, key as MessageKey) : (outcome ?? '');
}
