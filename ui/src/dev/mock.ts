// In-memory stand-in for the Rust core, used only by `vite` dev outside the Tauri shell (see
// api.ts). It follows the command contract closely enough to click through a day's work; the
// real rules live in the core. URL parameters: ?fresh (first run), ?tickets=N, ?lang=zh,
// ?theme=dark, ?large, ?latency=MS.
import type {
  AppInfo,
  ApiError,
  CommentView,
  Csat,
  EventView,
  Kind,
  NotificationPrefs,
  Priority,
  QueueCounts,
  Resolution,
  SearchHit,
  Settings,
  SlaState,
  SlaTarget,
  SlaView,
  Channel,
  Status,
  Tier,
  TicketDetail,
  TicketFilter,
  TicketView,
  UserRef,
  WorkspaceCreateInput,
} from '../lib/types';

const params = new URLSearchParams(location.search);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const OPEN: Status[] = ['new', 'open', 'in_progress', 'pending_customer', 'on_hold'];
const TRANSITIONS: Record<Status, Status[]> = {
  new: ['open', 'in_progress', 'pending_customer', 'resolved', 'closed'],
  open: ['in_progress', 'pending_customer', 'on_hold', 'resolved', 'closed'],
  in_progress: ['open', 'pending_customer', 'on_hold', 'resolved'],
  pending_customer: ['open', 'in_progress', 'resolved'],
  on_hold: ['open', 'in_progress', 'resolved'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};
// [first response, next update, resolution] in minutes (wall clock here; the core uses calendars).
const TARGETS: Record<Priority, [number, number | null, number]> = {
  P1: [30, 30, 240],
  P2: [60, 120, 8 * 60],
  P3: [4 * 60, null, 2 * 24 * 60],
  P4: [24 * 60, null, 5 * 24 * 60],
};

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(n: number): string {
  const h = n.toString(16).padStart(12, '0');
  return `01a20f8b-0000-7000-8000-${h}`;
}

function user(i: number, name: string, email: string): UserRef {
  return { id: uuid(900_000 + i), name, email };
}

const agentNames: [string, string][] = [
  ['李伟', 'li.wei'],
  ['Sarah Chen', 'sarah.chen'],
  ['王芳', 'wang.fang'],
  ['Tom Becker', 'tom.becker'],
  ['张强', 'zhang.qiang'],
  ['Priya Nair', 'priya.nair'],
  ['陈静', 'chen.jing'],
];
const orgs = ['华东精密制造有限公司', 'Harbor Logistics Ltd', '上海同和医疗器械有限公司', 'Northwind Architects', '杭州云帆电子商务', 'Baker & Lowe LLP'];
const requesterNames = [
  '刘洋', 'Emily Turner', '赵敏', 'James Wong', '孙丽', 'Olivia Park', '周杰', 'Daniel Kim', '吴婷', 'Grace Liu',
  '郑浩', 'Michael Brown', '冯雪', 'Hannah Lee', '何磊', 'Lucas Martin', '许晴', 'Ava Zhang', '高峰', 'Noah Smith',
];

interface Scenario {
  title: string;
  body: string;
  category: string;
  kind: Kind;
}
const scenarios: Scenario[] = [
  { title: 'VPN 每隔十分钟断线一次', body: '在家办公时 **VPN 每隔十分钟**就会断开，需要重新登录。\n\n- 客户端版本 5.2\n- 家里网络是电信 200M', category: 'network', kind: 'incident' },
  { title: 'Outlook keeps asking for password', body: 'Since this morning Outlook prompts for my password every few minutes. Webmail works fine.', category: 'account_access', kind: 'incident' },
  { title: '三楼打印机卡纸，无法打印', body: '三楼东侧的 HP 打印机显示卡纸，但打开后找不到纸。\n\n> 错误代码 13.B2.D2', category: 'hardware', kind: 'incident' },
  { title: 'New starter needs laptop and accounts', body: 'Jane Doe starts on **Monday** in Finance. Please prepare:\n\n1. Laptop\n2. Email and Teams\n3. Access to the ERP', category: 'account_access', kind: 'request' },
  { title: '无线网络信号弱，会议室经常掉线', body: '2 号会议室的 Wi-Fi 信号很弱，开视频会议经常掉线。SSID：Office-5G。', category: 'network', kind: 'incident' },
  { title: 'ERP export to Excel fails with error 0x80070005', body: 'Exporting the monthly report gives `0x80070005 access denied`. Worked last week.', category: 'software', kind: 'incident' },
  { title: '申请开通共享盘“财务部”访问权限', body: '因工作调整，需要访问 \\\\fs01\\财务部 共享目录（只读即可）。', category: 'account_access', kind: 'request' },
  { title: 'Warehouse scanner will not connect to network', body: 'Handheld scanner #7 at Pier 7 shows *No network* after the firmware update.', category: 'network', kind: 'incident' },
  { title: '如何在手机上设置企业邮箱？', body: '新换了 iPhone，请问企业邮箱怎么配置？', category: 'software', kind: 'question' },
  { title: 'Monitor flickers on docking station', body: 'External monitor flickers every few seconds when connected through the dock. Direct HDMI is fine.', category: 'hardware', kind: 'incident' },
  { title: '网络很慢，打开网页要一分钟', body: '从今天上午开始整个二楼**网络**都很慢，网页要一分钟才打开。', category: 'network', kind: 'incident' },
  { title: 'Request: install Adobe Acrobat Pro', body: 'I need Acrobat Pro to edit contracts. Licence approved by my manager.', category: 'software', kind: 'request' },
  { title: '对上次服务响应太慢的投诉', body: '上周的故障等了两天才有人回复，严重影响生产，希望改进。', category: 'other', kind: 'complaint' },
  { title: 'Cannot log in to CRM after password reset', body: 'Reset my password yesterday; CRM still says *invalid credentials*.', category: 'account_access', kind: 'incident' },
  { title: '服务器机房空调告警', body: '监控显示机房温度 **31°C**，空调 2 号机组告警。', category: 'hardware', kind: 'incident' },
  { title: 'Teams calls drop after 5 minutes', body: 'All Teams calls from the Kowloon office drop after ~5 minutes.', category: 'network', kind: 'incident' },
  { title: '<img src=x onerror=alert(1)> 描述里带脚本的测试工单', body: 'Test of hostile input: <script>alert("xss")</script> <img src=x onerror="alert(2)"> [click me](javascript:alert(3)) — none of it may run.', category: 'other', kind: 'question' },
];

interface Rec {
  id: string;
  n: number;
  title: string;
  description: string;
  status: Status;
  priority: Priority;
  kind: Kind;
  category: string;
  channel: Channel;
  tier: Tier;
  assignee: UserRef | null;
  requester: UserRef | null;
  organization: string | null;
  created: number;
  updated: number;
  firstResponse: number | null;
  lastUpdate: number | null;
  resolved: number | null;
  closed: number | null;
  pausedSince: number | null;
  resolution: Resolution | null;
  csat: Csat | null;
  comments: CommentView[];
  events: EventView[];
}

interface Db {
  info: AppInfo;
  me: UserRef;
  agents: UserRef[];
  requesters: { user: UserRef; org: string }[];
  tickets: Rec[];
  byNumber: Map<string, Rec>;
  sorted: Map<string, { at: number; recs: Rec[] }>;
}

let db: Db | null = null;
let settings: Settings = {
  language: (params.get('lang') as Settings['language']) ?? 'system',
  theme: (params.get('theme') as Settings['theme']) ?? 'system',
  large_text: params.has('large'),
};

function fail(code: ApiError['code'], message: string, field?: string): never {
  const reason = message === 'must not be empty' ? 'required' : undefined;
  throw field ? { code, message, field, reason } : { code, message };
}

function build(input: WorkspaceCreateInput): Db {
  const me = user(0, input.owner_name, input.owner_email);
  const agents = [me, ...agentNames.map(([n, e], i) => user(i + 1, n, `${e}@helpdeck.example`))];
  const requesters = requesterNames.map((n, i) => ({
    user: user(100 + i, n, `user${i + 1}@${orgs[i % orgs.length].includes('Ltd') ? 'harbor.example' : 'client.example'}`),
    org: orgs[i % orgs.length],
  }));
  const info: AppInfo = {
    version: '0.1.0-dev',
    data_dir: '/home/agent/.local/share/helpdeck',
    workspace: {
      id: uuid(1),
      name: input.name,
      timezone: input.timezone,
      language: input.language,
      device_id: uuid(2),
      owner_id: me.id,
      default_policy_id: uuid(3),
      categories: ['hardware', 'software', 'network', 'account_access', 'other'],
      reopen_window_days: 14,
      auto_close_days: 3,
      created_at: new Date().toISOString(),
    },
    role: 'admin',
    sync: null,
    me,
    settings,
  };
  const d: Db = { info, me, agents, requesters, tickets: [], byNumber: new Map(), sorted: new Map() };
  const count = input.demo_tickets ?? 0;
  const rand = rng(42);
  const now = Date.now();
  const priorities: Priority[] = ['P1', 'P2', 'P2', 'P3', 'P3', 'P3', 'P4', 'P4'];
  const channels: Channel[] = ['portal', 'phone', 'email', 'chat', 'walk_in', 'field', 'monitoring'];
  for (let i = 0; i < count; i++) {
    const n = i + 1;
    const sc = scenarios[n === 3 ? 16 : Math.floor(rand() * (scenarios.length - 1))];
    const req = requesters[Math.floor(rand() * requesters.length)];
    // Newer tickets are mostly open; older ones mostly resolved or closed.
    const age = (count - i) / Math.max(1, count);
    const created = now - Math.floor(age * age * 60 * DAY + rand() * (age < 0.08 ? 4 : 30) * HOUR + 5 * MIN);
    const roll = rand();
    const status: Status =
      age < 0.08
        ? (['new', 'open', 'in_progress', 'pending_customer', 'on_hold', 'new', 'open'] as Status[])[Math.floor(roll * 7)]
        : roll < 0.6
          ? 'closed'
          : roll < 0.97
            ? 'resolved'
            : (['open', 'in_progress', 'pending_customer'] as Status[])[Math.floor(rand() * 3)];
    const priority = priorities[Math.floor(rand() * priorities.length)];
    const assignee = status === 'new' && rand() < 0.7 ? null : rand() < 0.3 ? me : agents[Math.floor(rand() * agents.length)];
    const responded = status !== 'new' && rand() < 0.9;
    const firstResponse = responded ? created + Math.floor(rand() * 50 * MIN) : null;
    const resolved = status === 'resolved' || status === 'closed' ? created + Math.floor((1 + rand() * 40) * HOUR) : null;
    const rec: Rec = {
      id: uuid(n),
      n,
      title: sc.title,
      description: sc.body,
      status,
      priority,
      kind: sc.kind,
      category: sc.category,
      channel: channels[Math.floor(rand() * channels.length)],
      tier: (['L1', 'L1', 'L2', 'L3'] as Tier[])[Math.floor(rand() * 4)],
      assignee,
      requester: req.user,
      organization: req.org,
      created,
      updated: Math.min(now, resolved ?? firstResponse ?? created),
      firstResponse,
      lastUpdate: firstResponse,
      resolved,
      closed: status === 'closed' && resolved ? resolved + DAY : null,
      pausedSince: status === 'pending_customer' ? Math.min(now, (firstResponse ?? created) + 10 * MIN) : null,
      resolution: resolved ? { cause: '驱动程序版本过旧 / outdated driver', solution: 'Updated the driver and restarted the service.', prevention: null } : null,
      csat: status === 'closed' && rand() < 0.4 ? { score: 3 + Math.floor(rand() * 3), comment: rand() < 0.5 ? '处理很及时，谢谢！' : null } : null,
      comments: [],
      events: [],
    };
    seedHistory(rec, d, rand);
    d.tickets.push(rec);
    d.byNumber.set(`HD-${n}`, rec);
  }
  return d;
}

function seedHistory(r: Rec, d: Db, rand: () => number) {
  r.events.push({ actor: r.requester, field: 'created', from: null, to: 'new', at: iso(r.created) });
  if (r.firstResponse) {
    const agent = r.assignee ?? d.agents[1];
    r.events.push({ actor: agent, field: 'status', from: 'new', to: 'open', at: iso(r.firstResponse - MIN) });
    r.comments.push({
      id: uuid(5_000_000 + r.n * 10),
      author: agent,
      visibility: 'public',
      body: rand() < 0.5 ? '您好，已收到，我们正在排查，请稍候。' : "Thanks for reporting this — I'm looking into it now.",
      created_at: iso(r.firstResponse),
    });
    if (rand() < 0.6) {
      r.comments.push({
        id: uuid(5_000_000 + r.n * 10 + 1),
        author: agent,
        visibility: 'internal',
        body: rand() < 0.5 ? '怀疑是交换机端口问题，已联系网络组。' : 'Probably the **same root cause** as last week; checking the switch logs.',
        created_at: iso(r.firstResponse + 20 * MIN),
      });
    }
  }
  if (r.status !== 'new' && r.status !== 'open' && r.firstResponse) {
    const to = r.resolved ? 'resolved' : r.status;
    const at = Math.min(Date.now(), r.resolved ?? r.pausedSince ?? r.firstResponse + 30 * MIN);
    r.events.push({ actor: r.assignee, field: 'status', from: 'open', to, at: iso(at) });
  }
  if (r.closed) r.events.push({ actor: null, field: 'status', from: 'resolved', to: 'closed', at: iso(r.closed) });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function target(kind: SlaTarget['target'], start: number, mins: number, done: number | null, r: Rec, now: number): SlaTarget {
  const paused = r.pausedSince != null && !done;
  const pausedFor = paused ? now - (r.pausedSince ?? now) : 0;
  const due = start + mins * MIN + pausedFor;
  const atRisk = start + Math.min(mins * 0.75, mins - 15) * MIN + pausedFor;
  let state: SlaState;
  if (done) state = done <= due ? 'met' : 'missed';
  else if (paused) state = 'paused';
  else if (now >= due) state = 'breached';
  else if (now >= atRisk) state = 'at_risk';
  else state = 'running';
  return {
    target: kind,
    state,
    due_at: state === 'paused' ? null : iso(due),
    at_risk_at: state === 'paused' ? null : iso(atRisk),
    completed_at: done ? iso(done) : null,
    remaining_secs: Math.round((due - (done ?? now)) / 1000),
    cycle: 0,
  };
}

function sla(r: Rec, now: number): SlaView {
  const [fr, nu, res] = TARGETS[r.priority];
  const open = OPEN.includes(r.status);
  const first_response = target('first_response', r.created, fr, r.firstResponse, r, now);
  const next_update =
    nu != null && open && r.lastUpdate ? target('next_update', r.lastUpdate, nu, null, r, now) : null;
  const resolution = target('resolution', r.created, res, r.resolved, r, now);
  const all = [first_response, next_update, resolution].filter((x): x is SlaTarget => !!x);
  const rank: SlaState[] = ['breached', 'at_risk', 'running', 'paused', 'missed', 'met'];
  const state = all.map((x) => x.state).sort((a, b) => rank.indexOf(a) - rank.indexOf(b))[0] ?? null;
  const running = all.filter((x) => x.state === 'running' || x.state === 'at_risk' || x.state === 'breached');
  const next = running.flatMap((x) => (x.due_at ? [x.due_at] : [])).sort()[0] ?? null;
  return { state, next_due_at: next, first_response, next_update, resolution };
}

function view(r: Rec, now = Date.now()): TicketView {
  return {
    id: r.id,
    number: `HD-${r.n}`,
    title: r.title,
    status: r.status,
    priority: r.priority,
    kind: r.kind,
    category: r.category,
    channel: r.channel,
    tier: r.tier,
    assignee: r.assignee,
    requester: r.requester,
    organization: r.organization,
    team: null,
    tags: [],
    site: null,
    created_at: iso(r.created),
    updated_at: iso(r.updated),
    first_response_at: r.firstResponse ? iso(r.firstResponse) : null,
    resolved_at: r.resolved ? iso(r.resolved) : null,
    closed_at: r.closed ? iso(r.closed) : null,
    sla: sla(r, now),
  };
}

function detail(r: Rec): TicketDetail {
  return {
    ...view(r),
    description: r.description,
    resolution: r.resolution,
    csat: r.csat,
    allowed_transitions: TRANSITIONS[r.status],
    comments: r.comments,
    events: r.events,
    links: [],
    attachments: [],
  };
}

function need(): Db {
  if (!db) fail('no_workspace', 'no workspace: create one first');
  return db;
}

function get(reference: unknown): Rec {
  const d = need();
  const ref = String(reference).toUpperCase();
  const r = d.byNumber.get(ref.startsWith('HD-') ? ref : `HD-${ref}`);
  if (!r) fail('not_found', `no ticket ${String(reference)}`);
  return r;
}

function breaching(r: Rec, now: number): boolean {
  const s = sla(r, now).state;
  return OPEN.includes(r.status) && (s === 'at_risk' || s === 'breached');
}

function matches(r: Rec, f: TicketFilter, d: Db, now: number): boolean {
  if (f.statuses.length ? !f.statuses.includes(r.status) : !f.all_statuses && !OPEN.includes(r.status)) return false;
  if (f.priority && r.priority !== f.priority) return false;
  if (f.kind && r.kind !== f.kind) return false;
  if (f.category && r.category !== f.category) return false;
  if (f.tier && r.tier !== f.tier) return false;
  if (f.assignee === 'Me' && r.assignee?.id !== d.me.id) return false;
  if (f.assignee === 'Nobody' && r.assignee) return false;
  if (typeof f.assignee === 'object' && r.assignee?.email !== f.assignee.Email) return false;
  if (f.breaching && !breaching(r, now)) return false;
  return true;
}

function list(f: TicketFilter): { total: number; tickets: TicketView[] } {
  const d = need();
  const now = Date.now();
  const key = JSON.stringify({ ...f, limit: 0, offset: 0 });
  let cached = d.sorted.get(key);
  if (!cached || now - cached.at > 5000) {
    const recs = d.tickets.filter((r) => matches(r, f, d, now));
    const due = (r: Rec) => {
      const v = sla(r, now).next_due_at;
      return v ? Date.parse(v) : Infinity;
    };
    const cmp: Record<TicketFilter['sort'], (a: Rec, b: Rec) => number> = {
      due: (a, b) => due(a) - due(b) || b.n - a.n,
      priority: (a, b) => a.priority.localeCompare(b.priority) || due(a) - due(b),
      updated: (a, b) => b.updated - a.updated,
      created: (a, b) => b.created - a.created,
    };
    recs.sort(cmp[f.sort]);
    cached = { at: now, recs };
    d.sorted.set(key, cached);
  }
  return { total: cached.recs.length, tickets: cached.recs.slice(f.offset, f.offset + f.limit).map((r) => view(r, now)) };
}

function counts(): QueueCounts {
  const d = need();
  const now = Date.now();
  const c: QueueCounts = { mine: 0, unassigned: 0, breaching: 0, pending_customer: 0, all_open: 0, resolved: 0 };
  for (const r of d.tickets) {
    if (OPEN.includes(r.status)) {
      c.all_open++;
      if (r.assignee?.id === d.me.id) c.mine++;
      if (!r.assignee) c.unassigned++;
      if (r.status === 'pending_customer') c.pending_customer++;
      if (breaching(r, now)) c.breaching++;
    } else c.resolved++;
  }
  return c;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function highlight(text: string, terms: string[]): string {
  const lower = text.toLowerCase();
  const marks: [number, number][] = [];
  for (const term of terms) {
    let i = lower.indexOf(term);
    while (i >= 0) {
      marks.push([i, i + term.length]);
      i = lower.indexOf(term, i + term.length);
    }
  }
  marks.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [s, e] of marks) {
    if (s < pos) continue;
    out += escapeHtml(text.slice(pos, s)) + '<mark>' + escapeHtml(text.slice(s, e)) + '</mark>';
    pos = e;
  }
  return out + escapeHtml(text.slice(pos));
}

function search(query: string, limit: number): SearchHit[] {
  const d = need();
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) fail('validation', 'must not be empty', 'query');
  const hits: SearchHit[] = [];
  for (let i = d.tickets.length - 1; i >= 0 && hits.length < limit; i--) {
    const r = d.tickets[i];
    const hay = `hd-${r.n} ${r.title} ${r.description}`.toLowerCase();
    if (!terms.every((t) => hay.includes(t))) continue;
    const snippet = r.description.replace(/\s+/g, ' ').slice(0, 160);
    hits.push({
      id: r.id,
      number: `HD-${r.n}`,
      title: r.title,
      status: r.status,
      priority: r.priority,
      rank: -1,
      title_html: highlight(r.title, terms),
      snippet,
      snippet_html: highlight(snippet, terms),
      highlights: [],
    });
  }
  return hits;
}

function touch(r: Rec, actor: UserRef | null, field: string, from: string | null, to: string | null) {
  r.updated = Date.now();
  r.events.push({ actor, field, from, to, at: iso(r.updated) });
  need().sorted.clear();
}

function setStatus(r: Rec, to: Status, reason?: string) {
  if (!TRANSITIONS[r.status].includes(to)) {
    fail('validation', `cannot move from ${r.status} to ${to}; allowed: ${TRANSITIONS[r.status].join(', ')}`, 'status');
  }
  if (to === 'closed' && (r.status === 'new' || r.status === 'open') && !reason?.trim()) {
    fail('validation', 'a reason is required to close a ticket that was not resolved', 'reason');
  }
  const from = r.status;
  r.status = to;
  r.pausedSince = to === 'pending_customer' ? Date.now() : null;
  if (to === 'open' && (from === 'resolved' || from === 'closed')) {
    r.resolved = null;
    r.closed = null;
  }
  if (to === 'closed') r.closed = Date.now();
  touch(r, need().me, 'status', from, to);
}

function checkEmail(email: string, field = 'email') {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail('validation', `'${email}' is not an email address (expected name@example.com)`, field);
}

function agentFor(value: string): UserRef | null {
  const d = need();
  if (value === 'none') return null;
  if (value === 'me') return d.me;
  const a = d.agents.find((x) => x.email === value);
  if (!a) fail('validation', `${value} is not an agent`, 'assignee');
  return a;
}

type Args = Record<string, unknown>;
let notificationPrefs: NotificationPrefs = { disabled: [], quiet_hours: null, do_not_disturb: false, scope: 'mine' };
const handlers: Record<string, (a: Args) => unknown> = {
  app_info: () => (db ? { ...db.info, settings } : { version: '0.1.0-dev', data_dir: '/tmp/helpdeck-dev', workspace: null, me: null, settings }),
  workspace_create: (a) => {
    const input = a.input as WorkspaceCreateInput;
    if (!input.name.trim()) fail('validation', 'must not be empty', 'name');
    checkEmail(input.owner_email);
    db = build(input);
    return { ...db.info, settings };
  },
  settings_update: (a) => {
    settings = a.settings as Settings;
    return settings;
  },
  queue_counts: () => counts(),
  // The mock has no monitor: everything breaching counts as at risk.
  monitor_counts: () => ({ breached: 0, at_risk: db ? counts().breaching : 0, paused: false, running: !!db }),
  notification_prefs: () => notificationPrefs,
  notification_prefs_update: (a) => {
    notificationPrefs = a.prefs as typeof notificationPrefs;
    return notificationPrefs;
  },
  tickets_list: (a) => list(a.filter as TicketFilter),
  ticket_get: (a) => detail(get(a.reference)),
  agents: () => need().agents,
  search: (a) => search(String(a.query), Number(a.limit)),
  ticket_create: (a) => {
    const d = need();
    const input = a.input as { title: string; body: string; priority?: Priority; kind?: Kind; category?: string; requester?: string; assignee?: string; tier?: Tier };
    if (!input.title.trim()) fail('validation', 'must not be empty', 'title');
    if (input.requester) checkEmail(input.requester);
    const n = d.tickets.length + 1;
    const found = d.requesters.find((x) => x.user.email === input.requester);
    const requester = input.requester ? (found?.user ?? user(200 + n, input.requester.split('@')[0], input.requester)) : d.me;
    const now = Date.now();
    const r: Rec = {
      id: uuid(n), n, title: input.title.trim(), description: input.body, status: 'new', priority: input.priority ?? 'P3',
      kind: input.kind ?? 'incident', category: input.category ?? 'other', channel: 'portal', tier: input.tier ?? 'L1',
      assignee: input.assignee ? agentFor(input.assignee) : null, requester, organization: found?.org ?? null,
      created: now, updated: now, firstResponse: null, lastUpdate: null, resolved: null, closed: null, pausedSince: null,
      resolution: null, csat: null, comments: [], events: [{ actor: d.me, field: 'created', from: null, to: 'new', at: iso(now) }],
    };
    d.tickets.push(r);
    d.byNumber.set(`HD-${n}`, r);
    d.sorted.clear();
    return detail(r);
  },
  ticket_update: (a) => {
    const r = get(a.reference);
    const input = a.input as { status?: Status; reason?: string; priority?: Priority; assignee?: string; tier?: Tier; title?: string; category?: string; kind?: Kind };
    if (input.status === 'resolved') fail('validation', 'resolving needs a cause and a solution', 'status');
    if (input.priority && input.priority !== r.priority) {
      touch(r, need().me, 'priority', r.priority, input.priority);
      r.priority = input.priority;
    }
    if (input.tier && input.tier !== r.tier) {
      touch(r, need().me, 'tier', r.tier, input.tier);
      r.tier = input.tier;
    }
    if (input.kind && input.kind !== r.kind) {
      touch(r, need().me, 'kind', r.kind, input.kind);
      r.kind = input.kind;
    }
    if (input.category && input.category !== r.category) {
      touch(r, need().me, 'category', r.category, input.category);
      r.category = input.category;
    }
    if (input.title != null) {
      if (!input.title.trim()) fail('validation', 'must not be empty', 'title');
      touch(r, need().me, 'title', r.title, input.title);
      r.title = input.title;
    }
    if (input.assignee != null) {
      const next = agentFor(input.assignee);
      touch(r, need().me, 'assignee_id', r.assignee?.id ?? null, next?.id ?? null);
      r.assignee = next;
    }
    if (input.status) setStatus(r, input.status, input.reason);
    return detail(r);
  },
  ticket_reply: (a) => comment(a, 'public'),
  ticket_note: (a) => comment(a, 'internal'),
  ticket_resolve: (a) => {
    const r = get(a.reference);
    const res = a.resolution as Resolution;
    if (!res.cause?.trim()) fail('validation', 'is required to resolve a ticket', 'cause');
    if (!res.solution?.trim()) fail('validation', 'is required to resolve a ticket', 'solution');
    setStatus(r, 'resolved');
    r.resolved = Date.now();
    r.resolution = res;
    return detail(r);
  },
  ticket_reopen: (a) => {
    const r = get(a.reference);
    setStatus(r, 'open');
    return detail(r);
  },
  ticket_close: (a) => {
    const r = get(a.reference);
    setStatus(r, 'closed', (a.reason as string | null) ?? undefined);
    return detail(r);
  },
  ticket_rate: (a) => {
    const r = get(a.reference);
    const csat = a.csat as Csat;
    if (!(csat.score >= 1 && csat.score <= 5)) fail('validation', `${csat.score} is out of range (allowed: 1, 2, 3, 4, 5)`, 'score');
    if (r.status !== 'resolved' && r.status !== 'closed') fail('validation', 'only resolved or closed tickets can be rated', 'status');
    r.csat = csat;
    touch(r, need().me, 'csat', null, String(csat.score));
    return detail(r);
  },
};

function comment(a: Args, visibility: 'public' | 'internal'): TicketDetail {
  const r = get(a.reference);
  const body = String(a.body ?? '');
  if (!body.trim()) fail('validation', 'must not be empty', 'body');
  const d = need();
  const now = Date.now();
  r.comments.push({ id: uuid(9_000_000 + Math.floor(Math.random() * 1e6)), author: d.me, visibility, body, created_at: iso(now) });
  if (visibility === 'public') {
    if (!r.firstResponse) r.firstResponse = now;
    r.lastUpdate = now;
  }
  r.updated = now;
  d.sorted.clear();
  return detail(r);
}

if (!params.has('fresh')) {
  db = build({
    name: 'Acme IT Support',
    timezone: 'Asia/Shanghai',
    language: 'en',
    owner_name: 'Alex Morgan',
    owner_email: 'alex@helpdeck.example',
    demo_tickets: Number(params.get('tickets') ?? 1000),
  });
}

export async function mockInvoke(cmd: string, args: Args): Promise<unknown> {
  const latency = Number(params.get('latency') ?? 30);
  await new Promise((resolve) => setTimeout(resolve, latency));
  const handler = handlers[cmd];
  if (!handler) fail('internal', `unknown command ${cmd}`);
  return structuredClone(handler(args));
}
