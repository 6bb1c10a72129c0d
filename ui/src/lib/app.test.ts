import { beforeEach, describe, expect, it, vi } from 'vitest';

// The core's answers, each held until the test lets it go.
const held: { command: string; resolve: (v: unknown) => void }[] = [];
const hold = (command: string) => () =>
  new Promise((resolve) => {
    held.push({ command, resolve });
  });

vi.mock('./api', () => ({
  api: {
    appInfo: hold('app_info'),
    queueCounts: hold('queue_counts'),
    monitorCounts: hold('monitor_counts'),
    viewsList: hold('views_list'),
    agents: hold('agents'),
  },
}));

const { app } = await import('./app.svelte');

const asked = (command: string) => held.filter((h) => h.command === command).length;
const answer = async (command: string, value: unknown) => {
  for (const h of held.filter((h) => h.command === command)) h.resolve(value);
  held.splice(0, held.length, ...held.filter((h) => h.command !== command));
  await new Promise((r) => setTimeout(r, 0));
};
const answerCounts = async (n: number) => {
  await answer('queue_counts', { all_open: n });
  await answer('monitor_counts', { breached: 0, at_risk: 0 });
  await answer('views_list', []);
};

describe('the app state', () => {
  beforeEach(() => {
    held.length = 0;
  });

  it('is ready to show the queue before the sidebar counts and agents arrive', async () => {
    const loaded = app.load();
    await answer('app_info', {
      workspace: { name: 'Bench', timezone: 'Asia/Shanghai' },
      role: 'agent',
      settings: { language: 'en', time_zone: 'workspace' },
    });
    await loaded;
    expect(asked('queue_counts')).toBe(1);
    expect(asked('agents')).toBe(1);
    expect(app.counts).toBeNull();
    await answerCounts(7);
    await answer('agents', []);
    expect(app.counts).toEqual({ all_open: 7 });
  });

  it('reads the counts once at a time, and once more when asked meanwhile', async () => {
    const first = app.refreshCounts();
    const second = app.refreshCounts();
    const third = app.refreshCounts();
    expect(asked('queue_counts')).toBe(1);
    await answerCounts(1);
    // Asked twice during the first read: one more read, not two.
    expect(asked('queue_counts')).toBe(1);
    await answerCounts(2);
    await Promise.all([first, second, third]);
    expect(asked('queue_counts')).toBe(0);
    expect(app.counts).toEqual({ all_open: 2 });
    const later = app.refreshCounts();
    expect(asked('queue_counts')).toBe(1);
    await answerCounts(3);
    await later;
    expect(app.counts).toEqual({ all_open: 3 });
  });

  it("keeps the monitor's counts heard during a read over that read's older answer", async () => {
    const read = app.refreshCounts();
    expect(asked('monitor_counts')).toBe(1);
    // The monitor starts while the read runs: its first counts arrive as an event.
    app.heardSla({ running: true, breached: 1, at_risk: 22, paused: false });
    await answer('queue_counts', { all_open: 30 });
    await answer('monitor_counts', { running: false, breached: 0, at_risk: 0, paused: false });
    await answer('views_list', []);
    expect(app.sla).toEqual({ running: true, breached: 1, at_risk: 22, paused: false });
    // The event asked for the counts again: that read's answer is newer, and is kept.
    expect(asked('monitor_counts')).toBe(1);
    await answer('queue_counts', { all_open: 29 });
    await answer('monitor_counts', { running: true, breached: 0, at_risk: 22, paused: false });
    await answer('views_list', []);
    await read;
    expect(app.sla).toEqual({ running: true, breached: 0, at_risk: 22, paused: false });
    expect(app.counts).toEqual({ all_open: 29 });
  });

  it('reports being ready for the first paint only once it listens to the shell', async () => {
    let listening = false;
    void app.listening.then(() => (listening = true));
    await new Promise((r) => setTimeout(r, 0));
    expect(listening).toBe(false);
    await app.listenShell();
    await new Promise((r) => setTimeout(r, 0));
    expect(listening).toBe(true);
  });
});
