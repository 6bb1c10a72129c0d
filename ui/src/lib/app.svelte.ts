// Application state shared by the components: who we are, the settings, the current queue
// and the ticket on screen. Data about tickets stays in the core; this holds only what is shown.
import { api } from './api';
import { setLocale, t } from './i18n/index.svelte';
import { setDisplayZone } from './format';
import { applyLook } from './theme';
import { errorToast, info } from './toasts.svelte';
import type { AppInfo, MonitorCounts, PresenceView, QueueCounts, ReportDrill, Settings, SortKey, TicketFilter, UserRef, ViewEntry } from './types';
import { NO_FILTERS, setDrill, setSavedViews, viewById, type ListFilters, type ViewId } from './views';

export type Overlay = 'none' | 'search' | 'create' | 'settings' | 'help' | 'workspace';

class AppState {
  info = $state<AppInfo | null>(null);
  counts = $state<QueueCounts | null>(null);
  /** Saved views with their counts (staff), refreshed with the counts. */
  savedViews = $state<ViewEntry[]>([]);
  /** An article the knowledge base should open (from Ctrl+K or a resolved ticket). */
  kbOpen = $state<string | null>(null);
  /** ... and open in the editor. */
  kbEditOpen = $state(false);
  /** The SLA monitor's counts (the tray and the badge show the same numbers). */
  sla = $state<MonitorCounts | null>(null);
  agents = $state<UserRef[]>([]);
  view = $state<ViewId>('mine');
  filters = $state<ListFilters>({ ...NO_FILTERS });
  sort = $state<SortKey>('due');
  /** Ticket shown in the detail pane (its number), or null. */
  openNumber = $state<string | null>(null);
  /** Work order shown in the detail pane of the Today view (its key), or null. */
  openWorkOrder = $state<string | null>(null);
  overlay = $state<Overlay>('none');
  /** Bumped after a change, so the list re-reads the pages on screen. */
  listVersion = $state(0);
  /** Asks the open ticket to focus its composer in this mode. */
  composeRequest = $state<{ mode: 'reply' | 'note'; number: string; seq: number } | null>(null);
  /** Other agents on tickets right now (presence, from the server; agents only). */
  presence = $state<PresenceView[]>([]);
  /** The macro picker asked for on the open ticket (the `m` key). */
  macroRequest = $state<{ number: string; seq: number } | null>(null);

  get settings(): Settings {
    return (
      this.info?.settings ?? { language: 'workspace', theme: 'system', large_text: false, time_zone: 'workspace', close_notice_seen: false }
    );
  }

  get categories(): string[] {
    return this.info?.workspace?.categories ?? [];
  }

  /** Shows the settings. The language is decided in the core (the user's choice, else the
   * workspace's, else the OS locale's: `info.language`); an explicit choice shows at once. */
  applySettings(settings: Settings): void {
    const explicit = settings.language === 'en' || settings.language === 'zh' ? settings.language : null;
    setLocale(explicit ?? (this.info?.language === 'zh' ? 'zh' : 'en'));
    // Times in the workspace's business zone unless the user chose this computer's.
    setDisplayZone(settings.time_zone === 'device' ? undefined : this.info?.workspace?.timezone);
    applyLook(settings);
  }

  async load(): Promise<void> {
    const info = await api.appInfo();
    this.info = info;
    this.applySettings(info.settings);
    // The queue paints without waiting for the sidebar's counts and the agent list: on a
    // cold start at 100k tickets the counts read for over a second (docs/benchmarks.md).
    if (info.workspace) void this.afterWorkspace();
  }

  async afterWorkspace(): Promise<void> {
    await Promise.all([this.refreshCounts(), this.loadAgents()]);
  }

  async loadAgents(): Promise<void> {
    try {
      this.agents = await api.agents();
    } catch (e) {
      errorToast(e);
    }
  }

  /** The counts being read, and whether another read was asked for meanwhile. */
  private countsRead: Promise<void> | null = null;
  private countsAgain = false;

  /** Re-reads the sidebar's counts. Asked again while a read runs (the SLA monitor's first
   * counts arrive during the first read), it reads once more after it, never twice at once. */
  async refreshCounts(): Promise<void> {
    if (this.countsRead) {
      this.countsAgain = true;
      return this.countsRead;
    }
    this.countsRead = (async () => {
      do {
        this.countsAgain = false;
        await this.readCounts();
      } while (this.countsAgain);
    })().finally(() => {
      this.countsRead = null;
    });
    return this.countsRead;
  }

  private async readCounts(): Promise<void> {
    const heard = this.slaHeard;
    try {
      const staff = this.info?.role !== 'customer';
      const [counts, sla, views] = await Promise.all([
        api.queueCounts(),
        api.monitorCounts(),
        staff ? api.viewsList() : Promise.resolve([] as ViewEntry[]),
      ]);
      this.counts = counts;
      // The monitor's own counts, heard while this read ran, are newer than its answer.
      if (heard === this.slaHeard) this.sla = sla;
      this.setViews(views);
    } catch (e) {
      errorToast(e);
    }
  }

  /** Reads who else is on which ticket every few seconds (a signed-in agent's replica);
   * returns the stop function. */
  pollPresence(): () => void {
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      if (this.info?.sync && this.info.role !== 'customer') {
        try {
          this.presence = await api.presenceList();
        } catch {
          this.presence = [];
        }
      }
      if (!stopped) timer = setTimeout(tick, 3000);
    };
    let timer = setTimeout(tick, 500);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** How many counts the monitor has sent (a read begun before the latest keeps its own
   * `sla` answer to itself). */
  private slaHeard = 0;

  /** The SLA monitor's counts changed: shown at once, the sidebar's counts read again. */
  heardSla(counts: MonitorCounts): void {
    this.slaHeard++;
    this.sla = counts;
    if (this.info?.workspace) void this.refreshCounts();
  }

  private painted = false;
  /** The first page of tickets (the queue, a customer's requests) is on screen: told to the
   * shell once, after the frame that shows it, and once the shell's events are listened to.
   * The shell starts the SLA monitor after it. */
  firstPaint(): void {
    if (this.painted) return;
    this.painted = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => void this.listening.then(() => api.uiReady()).catch(() => {})),
    );
  }

  private shellHeard!: () => void;
  /** Settles once the shell's events are listened to: the first paint is reported after it,
   * and the shell starts the SLA monitor after that report, so its first counts are heard. */
  readonly listening = new Promise<void>((resolve) => (this.shellHeard = resolve));

  /** Follows the shell: the monitor's counts change (a ticket fell due), a notification or
   * the tray asks to open a ticket or a view. Returns the unsubscribe function. */
  async listenShell(): Promise<() => void> {
    if (!('__TAURI_INTERNALS__' in window)) {
      this.shellHeard();
      return () => {};
    }
    const { listen } = await import('@tauri-apps/api/event');
    const stops = await Promise.all([
      listen<MonitorCounts>('sla-counts', (e) => this.heardSla(e.payload)),
      listen<string>('open-ticket', (e) => {
        this.overlay = 'none';
        this.openNumber = e.payload;
      }),
      listen<string>('show-view', (e) => {
        if (e.payload === 'breached' || e.payload === 'at_risk') this.selectView(e.payload);
      }),
    ]);
    this.shellHeard();
    // Opened from a helpdeck:// link: show its ticket now that we listen.
    try {
      const launched = await api.launchTicket();
      if (launched) this.openNumber = launched;
    } catch {
      // Nothing to open.
    }
    return () => stops.forEach((stop) => stop());
  }

  private settingsSeq = 0;

  /** Applies new settings at once and saves them; only the latest save's answer is kept. */
  async updateSettings(next: Settings): Promise<void> {
    if (!this.info) return;
    const seq = ++this.settingsSeq;
    const previous = this.info.settings;
    this.info.settings = next;
    this.applySettings(next);
    try {
      const saved = await api.settingsUpdate(next);
      const info = await api.appInfo();
      if (seq === this.settingsSeq && this.info) {
        this.info = { ...info, settings: saved };
        this.applySettings(saved);
      }
    } catch (e) {
      if (seq === this.settingsSeq && this.info) {
        this.info.settings = previous;
        this.applySettings(previous);
      }
      errorToast(e);
    }
  }

  /** Shows an article in the knowledge base (in the editor with `edit`). */
  openArticle(id: string, edit = false): void {
    this.selectView('kb');
    this.openNumber = null;
    this.kbEditOpen = edit;
    this.kbOpen = id;
  }

  /** Keeps the saved views (the sidebar and the queue read them). */
  setViews(views: ViewEntry[]): void {
    setSavedViews(views);
    this.savedViews = views;
  }

  /** Saves the queue on screen as a view and shows it. */
  async saveView(name: string, filter: TicketFilter, shared: boolean): Promise<boolean> {
    try {
      const views = await api.viewSave(name, filter, shared);
      this.setViews(views);
      const made = views.find((v) => v.name.toLowerCase() === name.trim().toLowerCase());
      if (made) this.selectView(`saved:${made.id}`);
      info(() => t('views.saved.toast', { name: name.trim() }));
      return true;
    } catch (e) {
      errorToast(e);
      return false;
    }
  }

  /** Deletes a saved view (the queue goes back to "Mine" if it was on screen). */
  async deleteView(name: string, id: ViewId): Promise<void> {
    try {
      this.setViews(await api.viewDelete(name));
      if (this.view === id) this.selectView('mine');
      info(() => t('views.deleted', { name }));
    } catch (e) {
      errorToast(e);
    }
  }

  /** Opens the queue of the tickets behind a report figure. */
  openDrill(drill: ReportDrill, name: string): void {
    setDrill(drill, name);
    this.selectView('drill');
    this.openNumber = null;
  }

  selectView(id: ViewId): void {
    this.view = id;
    // The knowledge base has a reading pane of its own: no ticket beside it.
    if (viewById(id).pane === 'kb') this.openNumber = null;
    this.filters = { ...NO_FILTERS };
    this.sort = viewById(id).sort;
  }

  /** Shows every ticket a search finds as the queue ("All open" with the query, any status),
   * newest changes first. */
  openSearchAsList(query: string): void {
    this.view = 'open';
    this.filters = { ...NO_FILTERS, query };
    this.sort = 'updated';
    this.openNumber = null;
  }

  /** After any change to a ticket: re-read the list and the counts. */
  changed(): void {
    this.listVersion++;
    void this.refreshCounts();
  }

  /** Re-reads the sync status. */
  async refreshSync(): Promise<void> {
    try {
      this.setSync(await api.syncStatus());
    } catch {
      // The indicator keeps its last state; the next poll or event updates it.
    }
  }

  /** Sync status pushed by the core. */
  setSync(v: AppInfo['sync']): void {
    if (this.info) this.info.sync = v;
  }

  /** Someone else changed tickets (a pull): refresh the list, the counts and the open ticket. */
  remoteChanged(): void {
    this.remoteVersion++;
    this.changed();
  }

  /** Bumped when a pull changed tickets, so the open ticket re-reads itself. */
  remoteVersion = $state(0);

  /** Asks the open ticket for its macro picker. */
  pickMacro(): void {
    if (!this.openNumber) return;
    this.macroRequest = { number: this.openNumber, seq: (this.macroRequest?.seq ?? 0) + 1 };
  }

  compose(mode: 'reply' | 'note'): void {
    if (!this.openNumber) return;
    this.composeRequest = { mode, number: this.openNumber, seq: (this.composeRequest?.seq ?? 0) + 1 };
  }
}

export const app = new AppState();
