// A workspace made in Chinese opens in Chinese, with times in its own time zone; a change the
// core refuses puts its control back to the ticket's real value.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, launch, screenshot } from './harness.mjs';

describe('A Chinese workspace in Asia/Shanghai', () => {
  let driver;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-zh-'));
    cli(dir, 'init', '--name', '上海办公室', '--language', 'zh', '--timezone', 'Asia/Shanghai', '--email', 'wang.fang@acme.cn', '--user-name', '王芳');
    cli(dir, 'ticket', 'create', '--title', '三楼打印机卡纸', '--priority', 'P3');
    // A resolved request the customer rated 1 on the phone: its follow-up call is 王芳's.
    cli(dir, 'ticket', 'create', '--title', '会议室投影仪无信号', '--priority', 'P2', '--assignee', 'me');
    cli(dir, 'ticket', 'resolve', 'HD-2', '--cause', 'HDMI 线损坏', '--solution', '更换了 HDMI 线');
    cli(dir, 'ticket', 'rate', 'HD-2', '--score', '1', '--comment', '等了两天');
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('opens in Chinese with times in Asia/Shanghai', async () => {
    const label = async () =>
      (await driver.executeScript('return arguments[0].textContent', await find(driver, 'view-open'))).trim();
    await eventually(driver, async () => /[\u4e00-\u9fff]/.test(await label()), 'the sidebar is in Chinese');
    await (await find(driver, 'view-open')).click();
    const row = await eventually(driver, async () => {
      const rows = await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-1"]' });
      return rows[0] ?? false;
    }, 'HD-1 in the queue');
    await row.click();
    await find(driver, 'ticket-view');
    // Absolute times (tooltips) are in the workspace's zone; with its offset when this
    // machine's zone differs.
    const titles = await eventually(driver, async () => {
      const t = await driver.executeScript(() =>
        [...document.querySelectorAll('[data-testid="ticket-view"] time[title]')].map((e) => e.getAttribute('title')),
      );
      return t.length ? t : false;
    }, 'times with tooltips');
    const local = await driver.executeScript(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (local !== 'Asia/Shanghai') assert.ok(titles.every((t) => t.includes('GMT+8')), titles.join(' | '));
    await screenshot(driver, '12-chinese-workspace');
  });

  it('puts a refused change back', async () => {
    const priority = await find(driver, 'ticket-priority');
    assert.equal(await priority.getAttribute('value'), 'P3');
    // A value the core refuses (as a stale or tampered control would send).
    await driver.executeScript((sel) => {
      const o = document.createElement('option');
      o.value = 'P9';
      o.textContent = 'P9';
      sel.appendChild(o);
      sel.value = 'P9';
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    }, priority);
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="toast-error"]' })).length > 0, 'the refusal is shown');
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-priority')).getAttribute('value')) === 'P3',
      'the control shows the ticket’s real priority again',
    );
    await screenshot(driver, '13-refused-change-reverted');
  });

  it('shows a follow-up call in Chinese', async () => {
    await click(driver, 'view-followups');
    const task = await find(driver, 'followup-task');
    assert.equal(await task.getAttribute('data-number'), 'HD-2');
    await task.click();
    await find(driver, 'followup');
    await screenshot(driver, '12b-followup-zh');
    assert.match(await driver.executeScript((e) => e.textContent, task), /会议室投影仪无信号.*处理人/s);
    await click(driver, 'view-open');
  });

  it('shows the Workspace screen in Chinese', async () => {
    await driver.actions().sendKeys('\uE00C').perform();
    await click(driver, 'workspace-button');
    const tab = await find(driver, 'admin-tab-sla');
    await eventually(driver, async () => /[\u4e00-\u9fff]/.test(await tab.getText()), 'the tabs are in Chinese');
    await screenshot(driver, '23-admin-sla-zh');
    await click(driver, 'admin-tab-hours');
    await find(driver, 'admin-day-1');
    await screenshot(driver, '24-admin-hours-zh');
    await click(driver, 'admin-tab-people');
    await find(driver, 'admin-people');
    await screenshot(driver, '26-admin-people-zh');
    await driver.actions().sendKeys('\uE00C').perform();
  });
});
