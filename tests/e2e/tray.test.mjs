// Closing the window keeps Helpdeck running: the SLA monitor still warns, the breach
// notification reaches the desktop (dunst on the test's session bus), and its "Open" brings
// the window back on the ticket.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, eventually, find, invoke, launch, screenshot } from './harness.mjs';

const bus = { ...process.env, DBUS_SESSION_BUS_ADDRESS: process.env.HELPDECK_E2E_BUS ?? process.env.DBUS_SESSION_BUS_ADDRESS };
const dunstctl = (...args) => execFileSync('dunstctl', args, { env: bus, encoding: 'utf8' });

/** Every notification dunst has received ("summary body" lines, recorded by a dunst rule). */
function received() {
  const file = process.env.HELPDECK_E2E_NOTIFICATIONS;
  if (!file) throw new Error('HELPDECK_E2E_NOTIFICATIONS must name the file dunst records into');
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('Closing the window keeps Helpdeck in the tray', () => {
  let driver;
  // Notifications earlier tests made are not this test's.
  let seen = 0;
  const fresh = () => received().slice(seen);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-tray-'));
    cli(dir, 'init', '--name', 'Acme IT', '--timezone', 'UTC', '--email', 'wang.fang@acme.example');
    // A one-minute first response for P1: the breach falls due during the test.
    cli(dir, 'sla', 'policy', 'set', '--priority', 'P1', '--first-response', '1m', '--warning-pct', '50', '--warning-min-left', '0');
    cli(dir, 'ticket', 'create', '--title', 'Core switch down in building B', '--priority', 'P1', '--assignee', 'me');
    dunstctl('close-all');
    seen = received().length;
    ({ driver } = await launch(dir, { exitOnClose: false }));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    // The app keeps running when its window closes: quit it as Ctrl+Q does.
    try {
      await driver?.executeScript(() => {
        window.__TAURI_INTERNALS__.invoke('app_quit');
      });
    } catch {
      // already gone
    }
    await driver?.quit().catch(() => {});
  });

  it('warns of the breach with the window closed and reopens on the ticket', async () => {
    const closed = await invoke(driver, 'plugin:window|close', { label: 'main' });
    assert.ok(!closed?.error, `close: ${closed?.error}`);
    await eventually(driver, async () => (await invoke(driver, 'plugin:window|is_visible', { label: 'main' })) === false, 'the window is hidden');
    // The app still runs: its monitor answers (it starts once the queue has painted, or 3 s
    // after start when nothing paints), and the first close said where it went.
    await eventually(driver, async () => (await invoke(driver, 'monitor_counts')).running === true, 'the monitor runs', 15000);
    await eventually(driver, async () => fresh().some((n) => n.includes('still running')), 'the still-running notice', 15000);
    dunstctl('close-all');
    // The breach falls due about a minute after the ticket was made.
    await eventually(driver, async () => fresh().some((n) => /HD-1/.test(n) && /breach/i.test(n)), 'the breach notification reached the desktop', 120000);
    // "Open" on the notification (its default action).
    dunstctl('action', '0');
    await eventually(driver, async () => (await invoke(driver, 'plugin:window|is_visible', { label: 'main' })) === true, 'the window is back', 15000);
    await eventually(
      driver,
      async () => (await driver.findElements({ css: '[data-testid="ticket-view"][data-number="HD-1"]' })).length === 1,
      'on the breached ticket',
      15000,
    );
    await screenshot(driver, '14-reopened-from-notification');
  });
});
