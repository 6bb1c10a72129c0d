// A customer signed in to a real server gets the customers' own app (in Chinese, chosen on
// the first-run screen): their requests in plain words, never an internal note and no
// agent control anywhere; they submit a request with a pasted screenshot and see its stage
// and handler change when an agent acts on another replica; they reply, confirm the fix and
// rate it 2, which opens a follow-up call on the agent's side (a CLI replica).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { choose, cli, click, eventually, find, firstRunReady, launch, PASSWORD, screenshot, startServer, type } from './harness.mjs';

/** Controls of the agents' app that a customer's window must not have. */
const AGENT_ONLY = [
  'view-unassigned',
  'view-breached',
  'view-at-risk',
  'view-pending',
  'new-ticket-button',
  'workspace-button',
  'ticket-priority',
  'ticket-assignee',
  'ticket-tier',
  'assign-me',
  'composer-mode-note',
  'list-toolbar',
  'filter-status',
  'ticket-list',
  'view-complaints',
  'view-followups',
  'followup',
];

describe('A customer signed in to the server', () => {
  let driver;
  let server;
  let url;
  const bobDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-bob-'));

  const noAgentControls = async () => {
    for (const id of AGENT_ONLY) {
      const found = await driver.findElements({ css: `[data-testid="${id}"]` });
      assert.equal(found.length, 0, `a customer sees no ${id}`);
    }
  };

  const row = (number) =>
    eventually(driver, async () => (await driver.findElements({ css: `[data-testid="request-row"][data-number="${number}"]` }))[0] ?? false, `${number} listed`, 30000);

  before(async () => {
    ({ server, url } = await startServer());
    cli(bobDir, 'login', '--server', url, '--email', 'bob@acme.example');
    cli(bobDir, 'sync', '--once'); // the directory of people, Carol included
    cli(bobDir, 'ticket', 'create', '--title', 'Meeting room projector shows no signal', '--priority', 'P2', '--requester', 'carol@client.example');
    cli(bobDir, 'ticket', 'reply', 'HD-1', '--body', 'A technician will come at 14:00 with a new HDMI cable.');
    cli(bobDir, 'ticket', 'note', 'HD-1', '--body', 'INTERNAL: the projector is out of warranty.');
    cli(bobDir, 'sync', '--once');
    ({ driver } = await launch());
  });

  after(async () => {
    await driver?.quit();
    server?.kill('SIGTERM');
  });

  it('gets their own app in Chinese: requests in plain words, no agent control, no internal note', async () => {
    await firstRunReady(driver);
    await choose(driver, 'ws-language', 'zh');
    await click(driver, 'first-run-server-switch');
    await type(driver, 'si-server', url);
    await type(driver, 'si-email', 'carol@client.example');
    await type(driver, 'si-password', PASSWORD);
    await click(driver, 'si-submit');
    await find(driver, 'customer-app', 30000);
    await (await row('HD-1')).click();
    await eventually(driver, async () => (await (await find(driver, 'request-title')).getText()).includes('projector'), 'the request');
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="request-message"]' })).length === 1, 'the public reply');
    const page = await driver.executeScript(() => document.body.textContent);
    assert.ok(!page.includes('INTERNAL'), 'no internal note reaches a customer');
    assert.match(await (await find(driver, 'request-stage')).getText(), /[\u4e00-\u9fff]/);
    await noAgentControls();
    await screenshot(driver, '15-customer-request-zh');
  });

  it('submits a request with a pasted screenshot and follows it as an agent works on it', async () => {
    await click(driver, 'new-request');
    await type(driver, 'new-request-title', 'VPN drops every 10 minutes');
    await type(driver, 'new-request-body', 'Since Monday, at home and in the office.');
    // A screenshot pasted into the description, as Ctrl+V from the clipboard delivers it.
    const png = readFileSync(join(import.meta.dirname, '../../icons/32x32.png')).toString('base64');
    await driver.executeScript((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      const area = document.querySelector('[data-testid="new-request-body"]');
      area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, png);
    await find(driver, 'new-request-files');
    await click(driver, 'new-request-submit');
    // The new request opens beside the list, its number shown at once.
    const number = await eventually(driver, async () => {
      const n = await driver.executeScript(() => document.querySelector('[data-testid="request-view"]')?.getAttribute('data-number'));
      return n && n !== 'HD-1' ? n : false;
    }, 'the new request opens');
    assert.match(number, /^HD-\d+$/);
    await screenshot(driver, '16-customer-new-request-zh');
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="request-message"] [data-testid="attachment"]' })).length > 0, 'the screenshot is on the request', 15000);
    await noAgentControls();
    await screenshot(driver, '16-customer-new-request-zh');

    // Bob, on his own replica, takes it on once the server has it (it may renumber it).
    const title = 'VPN drops every 10 minutes';
    const serverNumber = await eventually(driver, async () => {
      cli(bobDir, 'sync', '--once');
      const hits = JSON.parse(cli(bobDir, '--json', 'search', `"${title}"`)).hits;
      return hits[0]?.number ?? false;
    }, 'the request reaches the agent', 30000);
    cli(bobDir, 'ticket', 'update', serverNumber, '--status', 'in_progress', '--assignee', 'bob@acme.example');
    cli(bobDir, 'ticket', 'reply', serverNumber, '--body', 'Please install the new VPN profile from the portal.');
    cli(bobDir, 'sync', '--once');
    await eventually(
      driver,
      async () => (await (await find(driver, 'request-stage')).getAttribute('data-stage')) === 'resolving',
      'the stage becomes “resolving”',
      30000,
    );
    await eventually(driver, async () => (await (await find(driver, 'request-handler')).getText()).includes('Bob'), 'Bob handles it', 10000);
    await screenshot(driver, '17-customer-progress-zh');

    // Carol replies; Bob resolves; Carol confirms and rates.
    const composer = await find(driver, 'composer-body');
    await composer.sendKeys('Installed it, thank you.');
    await click(driver, 'composer-send');
    await eventually(driver, async () => {
      cli(bobDir, 'sync', '--once');
      return JSON.parse(cli(bobDir, '--json', 'ticket', 'show', serverNumber)).comments?.some?.((c) => c.body.includes('Installed it'));
    }, 'the reply reaches the agent', 30000);
    cli(bobDir, 'ticket', 'resolve', serverNumber, '--cause', 'Old VPN profile', '--solution', 'New VPN profile installed');
    cli(bobDir, 'sync', '--once');
    await find(driver, 'request-verify', 30000);
    await screenshot(driver, '18-customer-verify-zh');
    await click(driver, 'request-confirm');
    await eventually(driver, async () => (await (await find(driver, 'request-stage')).getAttribute('data-stage')) === 'done', 'done');
    await noAgentControls();

    // A rating of 2 opens the follow-up: Carol reads who calls her back and by when; Bob's
    // replica gets the call as his task (he handled the request).
    await click(driver, 'rating-star-2');
    await type(driver, 'rating-comment', '修好了，但是等了太久');
    await click(driver, 'rating-submit');
    const callback = await find(driver, 'request-callback', 15000);
    assert.equal(await callback.getAttribute('data-open'), 'true');
    assert.match(await callback.getText(), /回电/);
    await screenshot(driver, '18b-customer-callback-zh');
    const task = await eventually(driver, async () => {
      cli(bobDir, 'sync', '--once');
      const tasks = JSON.parse(cli(bobDir, '--json', 'followup', 'list')).followups;
      return tasks.find((x) => x.number === serverNumber) ?? false;
    }, 'the follow-up call reaches the agent', 30000);
    assert.equal(task.score, 2);
    assert.equal(task.callback.level, 'handler');
    assert.equal(task.callback.owner?.name, 'Bob Li');
    // Bob calls, does not recover her, and the supervisor's call is scheduled; Carol's
    // window says a supervisor will call, and never what Bob wrote.
    cli(bobDir, 'followup', 'done', serverNumber, '--outcome', 'not_recovered', '--note', 'INTERNAL-CALLBACK: offered a discount');
    cli(bobDir, 'sync', '--once');
    await eventually(driver, async () => (await (await find(driver, 'request-callback')).getText()).includes('主管'), 'a supervisor will call', 30000);
    assert.ok(!(await driver.getPageSource()).includes('INTERNAL-CALLBACK'), 'the call note stays with the desk');
    await noAgentControls();
  });

  it('shows the home screen in plain words', async () => {
    await click(driver, 'requests-active');
    await (await row('HD-1')).click();
    await screenshot(driver, '19-customer-home-zh');
    await noAgentControls();
    // Settings offer a customer their own notifications only.
    await click(driver, 'settings-button');
    await find(driver, 'settings-notify-public_reply');
    for (const id of ['settings-notify-scope', 'settings-notify-at_risk', 'settings-notify-breached', 'settings-notify-assigned_to_me']) {
      assert.equal((await driver.findElements({ css: `[data-testid="${id}"]` })).length, 0, `no ${id} for a customer`);
    }
    // The same screen in English, chosen in Settings.
    await choose(driver, 'settings-language', 'en');
    await driver.actions().sendKeys('\uE00C').perform();
    await eventually(driver, async () => (await (await find(driver, 'request-stage')).getText()).startsWith('Diagnosing'), 'the request in English', 15000);
    // Toasts raised before the switch (the rating's thanks) read in English too.
    const toastTexts = await driver.executeScript(
      "return [...document.querySelectorAll('[data-testid^=\"toast-\"] .msg')].map((e) => e.textContent)",
    );
    for (const text of toastTexts) assert.doesNotMatch(text, /[\u4e00-\u9fff]/, `a toast in English: ${text}`);
    await screenshot(driver, '19b-customer-home-en');
    await noAgentControls();
  });

  it('reads help articles and is answered by a suggestion instead of submitting', async () => {
    // The public article shows an image (uploaded by Bob's replica, downloaded by the customer's).
    cli(bobDir, 'kb', 'add', '--title', 'VPN drops every few minutes', '--lang', 'en', '--audience', 'public', '--publish',
      '--body', 'Install the new VPN profile from the portal, then restart the VPN client.',
      '--image', join(import.meta.dirname, '../../icons/Square150x150Logo.png'));
    cli(bobDir, 'kb', 'add', '--title', 'VPN internal escalation notes', '--lang', 'en', '--body', 'INTERNAL-KB: call the ISP.');
    cli(bobDir, 'sync', '--once');
    await click(driver, 'help-articles');
    const item = await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="kb-item"]' }))[0] ?? false, 'the public article arrives', 30000);
    assert.equal((await driver.findElements({ css: '[data-testid="kb-item"]' })).length, 1, 'only the public, published article');
    await item.click();
    await find(driver, 'kb-article');
    await eventually(driver, () => driver.executeScript(() => document.querySelector('[data-testid="kb-article-body"] img[data-file]')?.naturalWidth === 150), "the article's image shows", 30000);
    assert.ok(!(await driver.getPageSource()).includes('INTERNAL-KB'));
    await screenshot(driver, '19c-customer-help-en');
    await noAgentControls();
    await click(driver, 'requests-active');
    const before = (await driver.findElements({ css: '[data-testid="request-row"]' })).length;
    await click(driver, 'new-request');
    await type(driver, 'new-request-title', 'My VPN drops all the time');
    await click(driver, 'kb-suggestion-use');
    await find(driver, 'kb-suggestion-article');
    // The suggested article shows its image too (it once showed `[Square150x150Logo.png]`).
    await eventually(driver, () => driver.executeScript(() => document.querySelector('[data-testid="kb-suggestion-article-body"] img[data-file]')?.naturalWidth === 150), "the suggested article's image shows", 30000);
    await screenshot(driver, '19d-customer-suggestion-en');
    await click(driver, 'kb-solved');
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="new-request-dialog"]' })).length === 0, 'the dialog closes');
    assert.equal((await driver.findElements({ css: '[data-testid="request-row"]' })).length, before, 'nothing was submitted');
  });
});
