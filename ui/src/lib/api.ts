// Every call into the Rust core goes through this module: typed wrappers over Tauri's `invoke`.
import { invoke } from '@tauri-apps/api/core';
import type {
  AppInfo,
  ApiError,
  AttachmentUpload,
  ArticleFields,
  ArticleHit,
  ArticleInput,
  ArticleStatus,
  ArticleView,
  Csat,
  KbGap,
  UpkeepItem,
  DiagnosisStep,
  Escalation,
  Macro,
  MacroInput,
  BulkChange,
  BulkOutcome,
  BulkPrevious,
  PresenceView,
  FollowUpTask,
  Outcome,
  ErrorCode,
  MonitorCounts,
  NotificationPrefs,
  QueueCounts,
  Resolution,
  SearchPage,
  Settings,
  SignInInput,
  ConnectPreview,
  ConnectResult,
  SyncView,
  TicketCreateInput,
  TicketDetail,
  TicketView,
  TicketFilter,
  TicketPage,
  TicketUpdateInput,
  UserRef,
  ViewEntry,
  Availability,
  RulesChange,
  WorkspaceRules,
  Directory,
  PersonDraft,
  PersonPatch,
  PersonView,
  WorkspaceCreateInput,
  WorkOrderView,
  WorkOrderCreate,
  TimeKind,
  Part,
  TimeSheet,
  TimeTotal,
  TimeGroup,
  TemplateItem,
  Dashboard,
  ReportFilter,
  ReportGroup,
  ReportFile,
} from './types';

const CODES: readonly ErrorCode[] = [
  'validation',
  'not_found',
  'forbidden',
  'conflict',
  'no_workspace',
  'internal',
];

/** Turns whatever a command rejected with into the `{ code, message, field? }` shape. */
export function toApiError(raw: unknown): ApiError {
  if (raw && typeof raw === 'object' && 'message' in raw) {
    const r = raw as Record<string, unknown>;
    const code = CODES.includes(r.code as ErrorCode) ? (r.code as ErrorCode) : 'internal';
    const err: ApiError = { code, message: String(r.message) };
    if (typeof r.field === 'string' && r.field) err.field = r.field;
    if (typeof r.reason === 'string' && r.reason) err.reason = r.reason;
    return err;
  }
  // The shell refuses arguments that do not read as the command's types (a stale or tampered
  // control) before the core sees them: still the user's input, not a fault.
  if (typeof raw === 'string' && raw.startsWith('invalid args')) return { code: 'validation', message: raw };
  if (typeof raw === 'string') return { code: 'internal', message: raw };
  return { code: 'internal', message: String(raw) };
}

export function isApiError(e: unknown): e is ApiError {
  return !!e && typeof e === 'object' && 'code' in e && 'message' in e;
}

/** In `vite` dev outside the Tauri shell (statically false in production builds). */
const browserDev = import.meta.env.DEV && typeof window !== 'undefined' && !('__TAURI_INTERNALS__' in window);

/**
 * Browser dev mode: the same command, answered by the real service layer over HTTP
 * (`helpdeck-devserver`, proxied by vite at /invoke) — never by a second implementation.
 */
async function devInvoke<T>(cmd: string, body: BodyInit | undefined, headers: Record<string, string>): Promise<T> {
  const resp = await fetch(`/invoke/${cmd}`, { method: 'POST', body, headers });
  if (!resp.ok) throw await resp.json().catch(() => ({ code: 'internal', message: resp.statusText }));
  const type = resp.headers.get('content-type') ?? '';
  return (type.includes('application/json') ? await resp.json() : await resp.arrayBuffer()) as T;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    if (browserDev) {
      return await devInvoke<T>(cmd, JSON.stringify(args ?? {}), { 'content-type': 'application/json' });
    }
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** The input with every optional field present: absent or undefined becomes null ("not given"). */
export function withNulls<T extends object>(input: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const k of keys) if (out[k] === undefined) out[k] = null;
  return out;
}

/** Object URLs of files already read (content-addressed, so they never go stale). */
const blobUrls = new Map<string, string>();
const thumbUrls = new Map<string, string | null>();

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  /** Tells the shell the first queue page is on screen (start-up timing). */
  uiReady: () => call<void>('ui_ready'),
  workspaceCreate: (input: WorkspaceCreateInput) => call<AppInfo>('workspace_create', { input }),
  settingsUpdate: (settings: Settings) => call<Settings>('settings_update', { settings }),
  queueCounts: () => call<QueueCounts>('queue_counts'),
  ticketsList: (filter: TicketFilter) => call<TicketPage>('tickets_list', { filter }),
  viewsList: () => call<ViewEntry[]>('views_list'),
  viewSave: (name: string, filter: TicketFilter, shared: boolean, team: string | null = null) =>
    call<ViewEntry[]>('view_save', { name, filter, shared, team }),
  viewDelete: (name: string) => call<ViewEntry[]>('view_delete', { name }),
  ticketGet: (reference: string) => call<TicketDetail>('ticket_get', { reference }),
  ticketCreate: (input: TicketCreateInput) =>
    call<TicketDetail>('ticket_create', {
      input: withNulls(input, ['priority', 'kind', 'category', 'requester', 'assignee', 'tier']),
    }),
  ticketUpdate: (reference: string, input: TicketUpdateInput) =>
    call<TicketDetail>('ticket_update', {
      reference,
      input: withNulls(input, [
        'status',
        'reason',
        'priority',
        'assignee',
        'tier',
        'title',
        'category',
        'kind',
        'description',
        'tags',
        'site',
        'requester',
      ]),
    }),
  /** A reply with its files, and the minutes spent on it (agents; never shown to customers). */
  ticketReply: (reference: string, body: string, files: AttachmentUpload[] = [], minutes: number | null = null) =>
    call<TicketDetail>('ticket_reply', { reference, body, files, minutes }),
  ticketNote: (reference: string, body: string, files: AttachmentUpload[] = [], minutes: number | null = null) =>
    call<TicketDetail>('ticket_note', { reference, body, files, minutes }),
  /** Puts a picked, dropped or pasted file into the workspace (raw bytes, no JSON). */
  attachmentImport: async (file: File): Promise<AttachmentUpload> => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const headers = { 'x-file-name': encodeURIComponent(file.name || 'file') };
    try {
      if (browserDev) return await devInvoke<AttachmentUpload>('attachment_import', bytes, headers);
      return await invoke<AttachmentUpload>('attachment_import', bytes, { headers });
    } catch (e) {
      throw toApiError(e);
    }
  },
  /** A file on this device as a blob URL (image previews); cached per content address. */
  attachmentUrl: async (sha256: string, mediaType: string): Promise<string> => {
    const known = blobUrls.get(sha256);
    if (known) return known;
    try {
      const buffer = await call<ArrayBuffer>('attachment_bytes', { sha256 });
      const url = URL.createObjectURL(new Blob([buffer], { type: mediaType }));
      blobUrls.set(sha256, url);
      return url;
    } catch (e) {
      throw toApiError(e);
    }
  },
  /**
   * An image's thumbnail (made on this device, at most 480 px) as a blob URL, or null when
   * the file has none (not an image this device can read). Cached per content address.
   */
  attachmentThumbnailUrl: async (sha256: string): Promise<string | null> => {
    const key = `thumb:${sha256}`;
    if (thumbUrls.has(key)) return thumbUrls.get(key) ?? null;
    try {
      const buffer = await call<ArrayBuffer>('attachment_thumbnail', { sha256 });
      const url = buffer.byteLength ? URL.createObjectURL(new Blob([buffer])) : null;
      thumbUrls.set(key, url);
      return url;
    } catch (e) {
      throw toApiError(e);
    }
  },
  ticketResolve: (reference: string, resolution: Resolution) =>
    call<TicketDetail>('ticket_resolve', { reference, resolution }),
  ticketReopen: (reference: string) => call<TicketDetail>('ticket_reopen', { reference }),
  ticketLink: (reference: string, to: string, kind: string) =>
    call<TicketDetail>('ticket_link', { reference, to, kind }),
  ticketUnlink: (reference: string, to: string) =>
    call<TicketDetail>('ticket_unlink', { reference, to }),
  ticketClose: (reference: string, reason?: string) =>
    call<TicketDetail>('ticket_close', { reference, reason: reason ?? null }),
  ticketRate: (reference: string, csat: Csat) =>
    call<TicketDetail>('ticket_rate', { reference, csat }),
  /** Checklist lines as typed (`… [photo]`, `… [reading:V]`) as template items (the core parses). */
  templateItems: (lines: string[]) => call<TemplateItem[]>('template_items', { lines }),
  /** The reports dashboard of [since, until) (ISO instants), narrowed and broken down. */
  reportDashboard: (since: string, until: string, filter: ReportFilter, by: ReportGroup) =>
    call<Dashboard>('report_dashboard', { since, until, filter, by }),
  /** Saves a table behind the charts as CSV, or (`table` null) the printable report as HTML. */
  reportExport: (since: string, until: string, filter: ReportFilter, by: ReportGroup, table: string | null, lang: string) =>
    call<ReportFile>('report_export', { since, until, filter, by, table, lang }),
  /** Opens a saved report with the system's program for it (a browser prints the HTML). */
  reportOpen: async (path: string): Promise<void> => {
    if (browserDev) return;
    await call<void>('report_open', { path });
  },
  timeSheet: (reference: string) => call<TimeSheet>('time_sheet', { reference }),
  timeLog: (reference: string, minutes: number, note: string | null) =>
    call<TimeSheet>('time_log', { reference, minutes, note }),
  timeDelete: (entry: string) => call<TimeSheet>('time_delete', { entry }),
  timeTimerStart: (reference: string) => call<TimeSheet>('time_timer_start', { reference }),
  timeTimerStop: (reference: string, note: string | null = null) =>
    call<TimeSheet>('time_timer_stop', { reference, note }),
  /** Billing totals over [since, until) (ISO times; null: open-ended). */
  timeReport: (since: string | null, until: string | null, by: TimeGroup) =>
    call<TimeTotal[]>('time_report', { since, until, by }),
  workorderToday: () => call<WorkOrderView[]>('workorder_today'),
  workorderList: (ticket: string) => call<WorkOrderView[]>('workorder_list', { ticket }),
  workorderGet: (reference: string) => call<WorkOrderView>('workorder_get', { reference }),
  workorderCreate: (input: WorkOrderCreate) => call<WorkOrderView>('workorder_create', { input }),
  workorderCheck: (reference: string, item: number, done: boolean, reading: string | null) =>
    call<WorkOrderView>('workorder_check', { reference, item, done, reading }),
  workorderPhoto: (reference: string, item: number, file: AttachmentUpload, isPublic: boolean) =>
    call<WorkOrderView>('workorder_photo', { reference, item, file, public: isPublic }),
  workorderPart: (reference: string, part: Part, quantity: number) =>
    call<WorkOrderView>('workorder_part', { reference, part, quantity }),
  workorderTime: (reference: string, kind: TimeKind, minutes: number) =>
    call<WorkOrderView>('workorder_time', { reference, kind, minutes }),
  workorderTimerStart: (reference: string, kind: TimeKind) =>
    call<WorkOrderView>('workorder_timer_start', { reference, kind }),
  workorderTimerStop: (reference: string) => call<WorkOrderView>('workorder_timer_stop', { reference }),
  workorderReport: (reference: string) => call<WorkOrderView>('workorder_report', { reference }),
  workorderSign: (reference: string, signer: string, signature: AttachmentUpload) =>
    call<WorkOrderView>('workorder_sign', { reference, signer, signature }),
  kbList: (status: ArticleStatus | null) => call<ArticleView[]>('kb_list', { status }),
  kbShow: (id: string) => call<ArticleView>('kb_show', { id }),
  kbAdd: (input: ArticleInput) => call<ArticleView>('kb_add', { input }),
  kbEdit: (id: string, fields: ArticleFields) => call<ArticleView>('kb_edit', { id, fields }),
  kbSetStatus: (id: string, status: ArticleStatus) => call<ArticleView>('kb_set_status', { id, status }),
  kbVote: (id: string, helpful: boolean) => call<ArticleView>('kb_vote', { id, helpful }),
  kbSearch: (query: string, limit = 20) => call<ArticleHit[]>('kb_search', { query, limit }),
  kbSuggest: (text: string, limit = 3) => call<ArticleHit[]>('kb_suggest', { text, limit }),
  kbFromTicket: (reference: string) => call<ArticleView>('kb_from_ticket', { reference }),
  kbDeflect: (id: string) => call<null>('kb_deflect', { id }),
  kbUpkeep: (months: number) => call<UpkeepItem[]>('kb_upkeep', { months }),
  kbGaps: (days: number, minTickets: number) => call<KbGap[]>('kb_gaps', { days, minTickets }),
  ticketsBulkUpdate: (numbers: string[], change: BulkChange) =>
    call<BulkOutcome>('tickets_bulk_update', { numbers, change }),
  ticketsBulkUndo: (previous: BulkPrevious[]) => call<BulkOutcome>('tickets_bulk_undo', { previous }),
  presenceSet: (number: string | null, replying: boolean) => call<null>('presence_set', { number, replying }),
  presenceList: () => call<PresenceView[]>('presence_list'),
  macroList: () => call<Macro[]>('macro_list'),
  macroAdd: (input: MacroInput) => call<Macro>('macro_add', { input }),
  macroDelete: (id: string) => call<null>('macro_delete', { id }),
  ticketApplyMacro: (reference: string, id: string) => call<TicketDetail>('ticket_apply_macro', { reference, id }),
  ticketDuplicates: (reference: string) => call<TicketView[]>('ticket_duplicates', { reference }),
  ticketMerge: (reference: string, into: string) => call<TicketDetail>('ticket_merge', { reference, into }),
  ticketEscalate: (reference: string, escalation: Escalation) => call<TicketDetail>('ticket_escalate', { reference, escalation }),
  ticketDiagnose: (reference: string, step: DiagnosisStep) => call<TicketDetail>('ticket_diagnose', { reference, step }),
  followupList: (all: boolean) => call<FollowUpTask[]>('followup_list', { all }),
  followupDone: (reference: string, outcome: Outcome, note: string, nextOwner: string | null) =>
    call<TicketDetail>('followup_done', { reference, outcome, note, nextOwner }),
  search: (query: string, limit = 20, offset = 0) => call<SearchPage>('search', { query, limit, offset }),
  requesters: (query: string) => call<UserRef[]>('requesters', { query }),
  /** Opens an http(s) or mailto link in the system's browser or mail app. */
  openLink: async (url: string): Promise<void> => {
    if (browserDev) {
      window.open(url, '_blank', 'noopener');
      return;
    }
    await call<void>('open_link', { url });
  },
  /** Start at login (desktop only; the browser dev mode has no such thing). */
  autostartGet: async (): Promise<boolean | null> => (browserDev ? null : call<boolean>('autostart_get')),
  autostartSet: (enabled: boolean) => call<boolean>('autostart_set', { enabled }),
  /** The ticket a helpdeck:// link opened the app on (once). */
  launchTicket: () => call<string | null>('launch_ticket'),
  /** Quits the app (closing the window only hides it to the tray). */
  quit: () => call<void>('app_quit'),
  agents: () => call<UserRef[]>('agents'),
  /** The workspace rules: SLA targets, calendar, categories, lifecycle windows. */
  workspaceRules: () => call<WorkspaceRules>('workspace_rules'),
  /** An admin's change of them (a replica sends it to the server). */
  workspaceRulesChange: (change: RulesChange) => call<WorkspaceRules>('workspace_rules_change', { change }),
  /** Everyone and the teams (admins; a replica asks its server). */
  people: () => call<Directory>('people'),
  personAdd: (draft: PersonDraft) => call<PersonView>('person_add', { draft }),
  personUpdate: (patch: PersonPatch) => call<PersonView>('person_update', { patch }),
  myAvailabilitySet: (availability: Availability) => call<Availability>('my_availability_set', { availability }),
  teamAdd: (name: string) => call<string[]>('team_add', { name }),
  syncStatus: () => call<SyncView | null>('sync_status'),
  syncSignIn: (input: SignInInput) => call<AppInfo>('sync_sign_in', { input }),
  serverUrlInsecure: (url: string) => call<boolean>('server_url_insecure', { url }),
  syncConnectPreview: () => call<ConnectPreview>('sync_connect_preview'),
  syncConnect: (input: SignInInput) => call<ConnectResult>('sync_connect', { input }),
  syncSignOut: () => call<AppInfo>('sync_sign_out'),
  syncNow: () => call<void>('sync_now'),
  /** Breached / at-risk counts of the running SLA monitor (what the tray and badge show). */
  monitorCounts: () => call<MonitorCounts>('monitor_counts'),
  notificationPrefs: () => call<NotificationPrefs>('notification_prefs'),
  notificationPrefsUpdate: (prefs: NotificationPrefs) =>
    call<NotificationPrefs>('notification_prefs_update', { prefs }),
};

/** Events from the core (sync status, tickets changed by someone else); no-op outside Tauri. */
export async function onCoreEvents(handlers: {
  syncStatus: (v: SyncView) => void;
  ticketsChanged: (ids: string[]) => void;
}): Promise<() => void> {
  if (!('__TAURI_INTERNALS__' in window)) return () => {};
  const { listen } = await import('@tauri-apps/api/event');
  const offs = await Promise.all([
    listen<SyncView>('sync-status', (e) => handlers.syncStatus(e.payload)),
    listen<string[]>('tickets-changed', (e) => handlers.ticketsChanged(e.payload)),
  ]);
  return () => offs.forEach((off) => off());
}
