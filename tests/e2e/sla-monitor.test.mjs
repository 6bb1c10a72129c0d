// The SLA monitor in the real app: the tray, the badge and the sidebar's "Breached" and
// "At risk" counts show what the running monitor counts, and follow a change at once.
//
// What can be read back on Linux: the sidebar (DOM), the monitor's counts (command
// `monitor_counts`) and what the shell last set on the tray and the badge (command
// `tray_status`, a record of the calls). The tray icon itself lives in the desktop's
// status-notifier host and cannot be inspected from here.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, invoke, launch, screenshot, type } from './harness.mjs';


async function sidebar(driver) {
  const read = async (id) => {
    const view = await find(driver, id);
    const count = await view.findElement({ css: '[data-testid="view-count"]' });
    return {
      count: Number((await count.getText()).replace(/[^\d]/g, '')),
      monitor: Number(await view.getAttribute('data-sla-monitor')),
    };
  };
  const breached = await read('view-breached');
  const atRisk = await read('view-at-risk');
  return {
    count: breached.count + atRisk.count,
    breached: breached.count,
    atRisk: atRisk.count,
    monitorBreached: breached.monitor,
    monitorAtRisk: atRisk.monitor,
  };
}

describe('SLA monitor, tray and badge', () => {
  let driver;

  before(async () => {
    // A workspace with demo data (some of it breaching), made with the CLI.
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-sla-'));
    cli(dir, 'init', '--name', 'Acme IT', '--timezone', 'UTC', '--email', 'wang.fang@acme.example');
    cli(dir, 'demo', '--tickets', '300');
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 60000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('the tray, the badge and the "Breached" and "At risk" views agree with the monitor', async () => {
    const monitor = await eventually(driver, async () => {
      const c = await invoke(driver, 'monitor_counts');
      return c.running ? c : false;
    }, 'the monitor is running');
    const total = monitor.breached + monitor.at_risk;
    assert.ok(total > 0, 'demo data has breaching tickets');
    await eventually(driver, async () => {
      const side = await sidebar(driver);
      return side.breached === monitor.breached && side.atRisk === monitor.at_risk;
    }, 'sidebar counts = monitor counts');
    // The monitor's own counts reach the sidebar as an event, a moment after it runs.
    await eventually(driver, async () => {
      const side = await sidebar(driver);
      return side.monitorBreached === monitor.breached && side.monitorAtRisk === monitor.at_risk;
    }, 'the sidebar holds the monitor\'s own counts');
    const tray = await eventually(driver, async () => {
      const t = await invoke(driver, 'tray_status');
      return t.menu_breached === `Breached (${monitor.breached})` && t.menu_at_risk === `At risk (${monitor.at_risk})` ? t : false;
    }, 'tray menu shows the counts');
    assert.equal(tray.tooltip, `Helpdeck: ${monitor.breached} breached, ${monitor.at_risk} at risk`);
    assert.equal(tray.label, String(total));
    assert.equal(tray.badge, total);
    // Each view lists exactly its tickets.
    await click(driver, 'view-breached');
    await eventually(
      driver,
      async () => Number(await (await find(driver, 'ticket-list')).getAttribute('data-total')) === monitor.breached,
      'the Breached view lists as many tickets as the monitor counts breached',
    );
    await screenshot(driver, '08-breached-agrees-with-monitor');
    await click(driver, 'view-at-risk');
    await eventually(
      driver,
      async () => Number(await (await find(driver, 'ticket-list')).getAttribute('data-total')) === monitor.at_risk,
      'the At risk view lists as many tickets as the monitor counts at risk',
    );
    // The next test resolves a ticket of a view that has some.
    if (monitor.breached > 0) await click(driver, 'view-breached');
  });

  it('resolving a breaching ticket lowers every count at once', async () => {
    const before = await invoke(driver, 'monitor_counts');
    const total = before.breached + before.at_risk;
    const row = await driver.findElement({ css: '[data-testid="ticket-list"] [data-number]' });
    await row.click();
    await click(driver, 'transition-resolved');
    await find(driver, 'resolve-dialog');
    await type(driver, 'resolve-cause', 'Loose cable');
    await type(driver, 'resolve-solution', 'Reseated the cable');
    await click(driver, 'resolve-submit');
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'resolved',
      'resolved',
    );
    await eventually(driver, async () => {
      const c = await invoke(driver, 'monitor_counts');
      return c.breached + c.at_risk === total - 1;
    }, 'the monitor counts one less');
    await eventually(driver, async () => (await sidebar(driver)).count === total - 1, 'the sidebar follows');
    await eventually(
      driver,
      async () => {
        const t = await invoke(driver, 'tray_status');
        const n = (s) => Number(s.replace(/[^\d]/g, ''));
        return n(t.menu_breached) + n(t.menu_at_risk) === total - 1;
      },
      'the tray follows',
    );
    await screenshot(driver, '09-resolved-counts-follow');
  });

  it('notification preferences are set in Settings and reach the workspace', async () => {
    await click(driver, 'settings-button');
    await find(driver, 'settings-notifications');
    await click(driver, 'settings-notify-dnd');
    await click(driver, 'settings-notify-at_risk');
    await eventually(driver, async () => {
      const p = await invoke(driver, 'notification_prefs');
      return p.do_not_disturb === true && p.disabled.includes('at_risk');
    }, 'saved: do not disturb on, at-risk off');
    await screenshot(driver, '10-notification-settings');
    await click(driver, 'settings-notify-dnd');
    await eventually(driver, async () => (await invoke(driver, 'notification_prefs')).do_not_disturb === false, 'do not disturb off');
    await click(driver, 'settings-close');
  });
});
