// A customer signed in to a real server sees their request and its public reply, never an
// internal note. (The customers' own view of the app is the next issue; today a customer
// gets the agents' layout with the controls the server refuses.)
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, firstRunReady, launch, PASSWORD, screenshot, startServer, type } from './harness.mjs';

describe('A customer signed in to the server', () => {
  let driver;
  let server;
  let url;
  const bobDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-bob-'));

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

  it('sees their request and its public reply, never the internal note', async () => {
    await firstRunReady(driver);
    await click(driver, 'first-run-server-switch');
    await type(driver, 'si-server', url);
    await type(driver, 'si-email', 'carol@client.example');
    await type(driver, 'si-password', PASSWORD);
    await click(driver, 'si-submit');
    await find(driver, 'ticket-list', 30000);
    await click(driver, 'view-open');
    const row = await eventually(driver, async () => {
      const rows = await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-1"]' });
      return rows[0] ?? false;
    }, 'the request in the queue', 20000);
    await row.click();
    await eventually(driver, async () => (await (await find(driver, 'ticket-title')).getText()).includes('projector'), 'the request');
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="timeline-reply"]' })).length === 1, 'the public reply');
    const page = await driver.executeScript(() => document.body.textContent);
    assert.ok(!page.includes('INTERNAL'), 'no internal note reaches a customer');
    await screenshot(driver, '15-customer-request');
  });
});
