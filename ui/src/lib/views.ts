// The sidebar's queues: each is a base filter plus the count the core keeps for it.
import type { Kind, Priority, QueueCounts, ReportDrill, SortKey, Status, Tier, TicketFilter, ViewEntry } from './types';
import type { MessageKey } from './i18n/index.svelte';

export type ViewId =
  | 'mine'
  | 'unassigned'
  | 'unowned'
  | 'breached'
  | 'at_risk'
  | 'pending'
  | 'open'
  | 'resolved'
  | 'complaints'
  | 'followups'
  | 'kb'
  | 'today'
  | 'reports'
  | 'drill'
  | `saved:${string}`;

export interface ViewDef {
  id: ViewId;
  label: MessageKey;
  /** The count shown beside it (none for a screen such as the reports). */
  count?: keyof QueueCounts;
  icon: string;
  base: Partial<TicketFilter>;
  sort: SortKey;
  /** A screen of its own instead of a ticket queue (the follow-up calls, the knowledge base). */
  pane?: 'followups' | 'kb' | 'today' | 'reports';
  /** A saved view's own name (shown instead of `label`). */
  name?: string;
}

export const VIEWS: readonly ViewDef[] = [
  { id: 'mine', label: 'views.mine', count: 'mine', icon: 'user', base: { assignee: 'Me' }, sort: 'due' },
  { id: 'unassigned', label: 'views.unassigned', count: 'unassigned', icon: 'inbox', base: { assignee: 'Nobody' }, sort: 'due' },
  // No agent and no team queue: nobody is accountable (seed 004) — a problem to fix.
  { id: 'unowned', label: 'views.unowned', count: 'unowned', icon: 'userOff', base: { assignee: 'Unowned' }, sort: 'due' },
  // Breached and at risk are different work: one is already late, the other can still be saved.
  { id: 'breached', label: 'views.breached', count: 'breached', icon: 'alert', base: { sla_bucket: 'breached' }, sort: 'due' },
  { id: 'at_risk', label: 'views.atRisk', count: 'at_risk', icon: 'clock', base: { sla_bucket: 'at_risk' }, sort: 'due' },
  { id: 'pending', label: 'views.pending', count: 'pending_customer', icon: 'pause', base: { statuses: ['pending_customer'] }, sort: 'updated' },
  { id: 'open', label: 'views.open', count: 'all_open', icon: 'layers', base: {}, sort: 'due' },
  { id: 'resolved', label: 'views.resolved', count: 'resolved', icon: 'check', base: { statuses: ['resolved', 'closed'] }, sort: 'updated' },
  // Complaints go to the supervisor's queue (seed 000): one business day to contact the customer.
  { id: 'complaints', label: 'views.complaints', count: 'complaints', icon: 'flag', base: { kind: 'complaint' }, sort: 'due' },
  // The callbacks a low rating opened (spec §3.1): mine and unowned ones.
  { id: 'followups', label: 'views.followups', count: 'followups', icon: 'phone', base: {}, sort: 'due', pane: 'followups' },
  // Answers to reuse (spec §3.1): search, write, publish; suggested while replying.
  { id: 'kb', label: 'views.kb', count: 'kb_published', icon: 'book', base: {}, sort: 'due', pane: 'kb' },
  // The field technician's day (issue 15): my visits up to tonight, with what each still needs.
  { id: 'today', label: 'views.today', count: 'today', icon: 'van', base: {}, sort: 'due', pane: 'today' },
  // Supervisors' dashboard (issue 16): the service figures of a period, offline.
  { id: 'reports', label: 'views.reports', icon: 'chart', base: {}, sort: 'due', pane: 'reports' },
];

/** The queue a dashboard figure opened (its tickets, every status), while it is shown. */
let drillView: ViewDef | null = null;

/** Keeps the queue behind a report figure `viewById('drill')` finds. */
export function setDrill(drill: ReportDrill, name: string): void {
  drillView = {
    id: 'drill',
    label: 'views.drill',
    name,
    icon: 'chart',
    base: { all_statuses: true, report: drill },
    sort: 'updated',
  };
}

/** Saved views (personal, then shared), as the sidebar last read them. */
let saved: ViewDef[] = [];

/** Keeps the saved views `viewById` finds (`saved:ID`). */
export function setSavedViews(entries: readonly ViewEntry[]): void {
  saved = entries.map(savedView);
}

/** A saved view as a queue: its filter, without what narrows nothing (so the toolbar can
 * narrow it further). */
export function savedView(e: ViewEntry): ViewDef {
  const f = e.filter;
  const base: Partial<TicketFilter> = {};
  if (f.statuses.length) base.statuses = f.statuses;
  if (f.all_statuses) base.all_statuses = true;
  if (f.priority) base.priority = f.priority;
  if (f.kind) base.kind = f.kind;
  if (f.category) base.category = f.category;
  if (f.tier) base.tier = f.tier;
  if (f.assignee !== 'Any') base.assignee = f.assignee;
  if (f.breaching) base.breaching = true;
  if (f.sla_bucket) base.sla_bucket = f.sla_bucket;
  if (f.query) base.query = f.query;
  return { id: `saved:${e.id}`, label: 'views.saved', name: e.name, count: 'all_open', icon: 'filter', base, sort: f.sort };
}

export function viewById(id: ViewId): ViewDef {
  if (id === 'drill') return drillView ?? VIEWS[0];
  if (id.startsWith('saved:')) return saved.find((v) => v.id === id) ?? VIEWS[0];
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0];
}

/** What the user narrowed a view down to in the toolbar. */
export interface ListFilters {
  status: Status | null;
  priority: Priority | null;
  kind: Kind | null;
  category: string | null;
  /** 'me' | 'nobody' | an agent's email */
  assignee: string | null;
  tier: Tier | null;
  /** A search opened as a list (spec §7 syntax); every status unless it says status:. */
  query: string | null;
}

export const NO_FILTERS: ListFilters = {
  status: null,
  priority: null,
  kind: null,
  category: null,
  assignee: null,
  tier: null,
  query: null,
};

/** A filter that narrows nothing (open tickets, any field), in `sort` order, with `over` applied. */
export function baseFilter(sort: SortKey, over: Partial<TicketFilter> = {}): Omit<TicketFilter, 'limit' | 'offset'> {
  return {
    statuses: [],
    all_statuses: false,
    priority: null,
    kind: null,
    category: null,
    tier: null,
    assignee: 'Any',
    breaching: false,
    sla_bucket: null,
    query: null,
    report: null,
    sort,
    ...over,
  };
}

/** The `tickets_list` filter (without paging) for a view, the toolbar's filters and a sort. */
export function buildFilter(view: ViewDef, f: ListFilters, sort: SortKey): Omit<TicketFilter, 'limit' | 'offset'> {
  const base = baseFilter(sort, view.base);
  if (f.query) {
    base.query = view.base.query ? `${view.base.query} ${f.query}` : f.query;
    base.all_statuses = true;
  }
  if (f.status) {
    base.statuses = [f.status];
    base.all_statuses = false;
  }
  if (f.priority) base.priority = f.priority;
  if (f.kind) base.kind = f.kind;
  if (f.category) base.category = f.category;
  if (f.tier) base.tier = f.tier;
  if (f.assignee && view.base.assignee === undefined) {
    base.assignee = f.assignee === 'me' ? 'Me' : f.assignee === 'nobody' ? 'Nobody' : { Email: f.assignee };
  }
  return base;
}
