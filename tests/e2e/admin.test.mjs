// An admin changes the workspace rules in the app: an SLA target, a holiday and the
// categories; open tickets are re-timed at once and the new category is offered.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, launch, screenshot, type } from './harness.mjs';

/** Sets an <input>'s value as typing would (date and time inputs take no keystrokes in
 * WebKit's WebDriver). */
async function setInput(driver, id, value) {
  const el = await find(driver, id);
  await driver.executeScript(
    (e, v) => {
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
    },
    el,
    value,
  );
}

/** Clicks a control inside the dialog after scrolling it into view. */
async function press(driver, id) {
  const el = await find(driver, id);
  await driver.executeScript((e) => e.scrollIntoView({ block: 'center' }), el);
  await eventually(driver, async () => (await el.isDisplayed()) && (await el.isEnabled()), `${id} can be pressed`);
  await el.click();
}

describe('The Workspace screen (admin)', () => {
  let driver;
  let dir;

  const firstResponseMinutes = () => {
    const t = JSON.parse(cli(dir, '--json', 'ticket', 'show', 'HD-1'));
    return (Date.parse(t.sla.first_response.due_at) - Date.parse(t.created_at)) / 60000;
  };

  const dir_ = () => dir;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-admin-'));
    cli(dir, 'init', '--name', 'Acme IT', '--timezone', 'Europe/Berlin');
    cli(dir, 'ticket', 'create', '--title', 'Core switch down', '--priority', 'P1');
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('changes an SLA target and re-times the open ticket', async () => {
    assert.equal(firstResponseMinutes(), 30);
    await click(driver, 'workspace-button');
    await find(driver, 'admin-sla');
    await type(driver, 'admin-P1-first', '15');
    // The P1 first response was "30 min"; 15 in the same unit.
    await screenshot(driver, '20-admin-sla-en');
    await click(driver, 'admin-save-sla');
    await eventually(driver, async () => firstResponseMinutes() === 15, 'HD-1 is due 15 minutes after it was opened');
  });

  it('refuses a bad value next to the form and keeps the rules', async () => {
    await type(driver, 'admin-warn-pct', '150');
    await click(driver, 'admin-save-sla');
    const err = await find(driver, 'field-error-warning');
    assert.match(await err.getText(), /1.*100/);
    const rules = JSON.parse(cli(dir, '--json', 'workspace', 'show'));
    assert.equal(rules.sla.policy.warning_threshold_pct, 75);
  });

  it('adds a holiday and a category', async () => {
    await press(driver, 'admin-tab-hours');
    await setInput(driver, 'admin-holiday-input', '2026-12-24');
    await press(driver, 'admin-holiday-add');
    await eventually(driver, async () => (await (await find(driver, 'admin-holidays')).getText()).includes('2026-12-24'), 'listed');
    await screenshot(driver, '21-admin-hours-en');
    await press(driver, 'admin-save-hours');
    await eventually(
      driver,
      async () => JSON.parse(cli(dir, '--json', 'workspace', 'show')).sla.calendar.holidays.includes('2026-12-24'),
      'the holiday is kept',
    );

    await press(driver, 'admin-tab-tickets');
    const area = await find(driver, 'admin-categories');
    await setInput(driver, 'admin-categories', `${await area.getAttribute('value')}\nprinters`);
    await press(driver, 'admin-save-tickets');
    await eventually(
      driver,
      async () => JSON.parse(cli(dir, '--json', 'workspace', 'show')).categories.includes('printers'),
      'the category is kept',
    );
    await screenshot(driver, '22-admin-categories-en');
    await driver.actions().sendKeys('\uE00C').perform(); // Escape closes the screen
    await click(driver, 'new-ticket-button');
    const options = await eventually(driver, async () => {
      const o = await driver.executeScript(() =>
        [...document.querySelectorAll('[data-testid="create-category"] option')].map((e) => e.value),
      );
      return o.length ? o : false;
    }, 'the category picker');
    assert.ok(options.includes('printers'), options.join(','));
  });

  it('adds a team and an agent, who can then be assigned', async () => {
    await driver.actions().sendKeys('\uE00C').perform(); // close the new-ticket dialog
    await click(driver, 'workspace-button');
    await press(driver, 'admin-tab-people');
    await type(driver, 'admin-team-name', 'Field service');
    await press(driver, 'admin-team-add');
    await eventually(driver, async () => (await (await find(driver, 'admin-teams')).getText()).includes('Field service'), 'the team is listed');
    await type(driver, 'admin-person-name', '李雷');
    await type(driver, 'admin-person-email', 'li.lei@acme.example');
    await driver.executeScript((sel) => {
      sel.value = 'Field service';
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    }, await find(driver, 'admin-person-team-new'));
    await press(driver, 'admin-person-add');
    await eventually(
      driver,
      async () => (await driver.findElements({ css: '[data-testid="admin-person"][data-email="li.lei@acme.example"]' })).length === 1,
      'the agent is listed',
    );
    const dir = JSON.parse(cli(dir_(), '--json', 'people', 'list'));
    const li = dir.people.find((p) => p.email === 'li.lei@acme.example');
    assert.equal(li.role, 'agent');
    assert.equal(li.team, 'Field service');
    await screenshot(driver, '25-admin-people-en');
    cli(dir_(), 'ticket', 'update', 'HD-1', '--assignee', 'li.lei@acme.example');
  });
});
