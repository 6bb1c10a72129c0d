// A technician who started alone connects the app's local workspace to the team's server:
// Settings says what will be uploaded and asks first; after "Upload and connect" the app is a
// synced replica, and another agent sees the tickets with their conversation.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { choose, cli, click, eventually, find, findAll, launch, PASSWORD, screenshot, startServer, type } from './harness.mjs';

describe('Connecting a local workspace to a server in the app', () => {
  let driver;
  let server;
  let url;
  const bobDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-bob-'));
  const vanDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-van-'));

  before(async () => {
    ({ server, url } = await startServer());
    // Alice's weeks alone: a local workspace with a few tickets and a conversation.
    cli(vanDir, 'init', '--name', "Alice's van", '--email', 'alice@acme.example', '--user-name', 'Alice Chen');
    cli(vanDir, 'ticket', 'create', '--title', 'Label printer at the warehouse prints blank', '--priority', 'P2');
    cli(vanDir, 'ticket', 'create', '--title', '仓库扫码枪无法连接');
    cli(vanDir, 'ticket', 'reply', 'HD-1', '--body', 'Replaced the ribbon; test label prints.');
    cli(vanDir, 'ticket', 'link', 'HD-2', '--to', 'HD-1');
    cli(bobDir, 'login', '--server', url, '--email', 'bob@acme.example');
    ({ driver } = await launch(vanDir));
  });

  after(async () => {
    await driver?.quit();
    server?.kill('SIGTERM');
  });

  it('asks first, uploads, and becomes a synced replica', async () => {
    await find(driver, 'ticket-list', 30000);
    await click(driver, 'settings-button');
    await find(driver, 'settings-server');
    await type(driver, 'si-server', url);
    await type(driver, 'si-email', 'alice@acme.example');
    await type(driver, 'si-password', PASSWORD);
    await click(driver, 'si-submit');
    const confirm = await find(driver, 'connect-confirm');
    const text = await driver.executeScript('return arguments[0].textContent', confirm);
    assert.match(text, /Tickets 2 · Comments 1 · Files 0 · Links 1/);
    await screenshot(driver, '10-connect-confirm');
    // In Chinese too (the confirmation is what the user decides on).
    await choose(driver, 'settings-language', 'zh');
    await eventually(driver, async () => /上传并连接/.test(await driver.executeScript('return arguments[0].textContent', await find(driver, 'connect-confirm'))), 'confirmation in Chinese');
    await screenshot(driver, '10b-connect-confirm-zh');
    await choose(driver, 'settings-language', 'en');
    // Nothing was sent before the confirmation.
    cli(bobDir, 'sync', '--once');
    assert.equal(JSON.parse(cli(bobDir, '--json', 'export', '--format', 'json')).tickets.length, 0);

    await click(driver, 'connect-go');
    await eventually(driver, async () => (await findAll(driver, 'sign-out')).length === 1, 'connected: the server section offers sign-out', 60000);
    await click(driver, 'settings-close');
    await eventually(driver, async () => (await (await find(driver, 'sync-indicator')).getAttribute('data-phase')) === 'synced', 'sync indicator says synced', 30000);
    await screenshot(driver, '11-connected');

    cli(bobDir, 'sync', '--once');
    const tickets = JSON.parse(cli(bobDir, '--json', 'export', '--format', 'json')).tickets;
    assert.deepEqual(tickets.map((t) => t.title).sort(), ['Label printer at the warehouse prints blank', '仓库扫码枪无法连接'].sort());
    const printer = tickets.find((t) => t.title.startsWith('Label printer'));
    assert.equal(printer.comments[0].body, 'Replaced the ribbon; test label prints.');
    assert.equal(printer.comments[0].author, 'alice@acme.example');
  });
});
