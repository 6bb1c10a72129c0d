// The desktop app against a real Helpdeck server: sign in from first run, see another agent's
// change arrive live (no reload), answer it, and the other replica receives the answer; see another
// agent's presence appear and go, and a reply that arrived while writing.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, findAll, firstRunReady, launch, PASSWORD, screenshot, startServer, type } from './harness.mjs';

describe('Helpdeck desktop app with a server', () => {
  let driver;
  let server;
  let url;
  const bobDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-bob-'));

  before(async () => {
    ({ server, url } = await startServer());
    cli(bobDir, 'login', '--server', url, '--email', 'bob@acme.example');
    cli(bobDir, 'sync', '--once');
    ({ driver } = await launch());
  });

  after(async () => {
    await driver?.quit();
    server?.kill('SIGTERM');
  });

  it('signs in to the server from first run', async () => {
    await firstRunReady(driver);
    await click(driver, 'first-run-server-switch');
    // Plain http to another machine: the form warns before a password is sent.
    await type(driver, 'si-server', 'http://192.168.1.20:8080');
    await find(driver, 'si-insecure');
    await screenshot(driver, '07b-sign-in-plain-http');
    await type(driver, 'si-server', url);
    await eventually(driver, async () => (await findAll(driver, 'si-insecure')).length === 0, 'no warning for this machine');
    await type(driver, 'si-email', 'alice@acme.example');
    await type(driver, 'si-password', 'wrong password');
    await click(driver, 'si-submit');
    // A wrong password is refused and nothing is created.
    await eventually(driver, async () => (await findAll(driver, 'field-error-password')).length > 0, 'wrong password shown at the field');
    assert.equal((await findAll(driver, 'ticket-list')).length, 0);
    await type(driver, 'si-password', PASSWORD);
    await click(driver, 'si-submit');
    await find(driver, 'ticket-list', 30000);
    await eventually(driver, async () => (await (await find(driver, 'sync-indicator')).getAttribute('data-phase')) === 'synced', 'sync indicator says synced', 20000);
    await screenshot(driver, '08-signed-in');
  });

  it("shows another agent's ticket live and sends the reply back", async () => {
    await click(driver, 'view-open');
    cli(bobDir, 'ticket', 'create', '--title', 'Projector in room 4 shows no signal', '--priority', 'P2', '--assignee', 'alice@acme.example');
    cli(bobDir, 'sync', '--once');
    // No reload: the long-poll brings it and the queue re-reads itself.
    await eventually(
      driver,
      async () => (await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-1"]' })).length === 1,
      'the new ticket appears in the queue',
      15000,
    );
    assert.ok(Number(await (await find(driver, 'shell')).getAttribute('data-remote-version')) > 0, 'a tickets-changed event arrived');
    await (await driver.findElement({ css: '[data-testid="ticket-row"][data-number="HD-1"]' })).click();
    await eventually(driver, async () => (await (await find(driver, 'ticket-title')).getText()).includes('Projector in room 4'), 'ticket view');
    await click(driver, 'composer-mode-reply');
    await type(driver, 'composer-body', 'Checked the HDMI cable: replaced it, works now.');
    await click(driver, 'composer-send');
    await eventually(driver, async () => (await (await find(driver, 'sync-indicator')).getAttribute('data-pending')) === '0', 'the reply was pushed', 20000);
    await screenshot(driver, '09-live-ticket-and-reply');
    const shown = await eventually(driver, async () => {
      cli(bobDir, 'sync', '--once');
      const out = cli(bobDir, 'ticket', 'show', 'HD-1', '--json');
      return out.includes('replaced it, works now') && out;
    }, 'the reply reached the other replica', 20000);
    assert.ok(JSON.parse(shown));
  });

  it("shows another agent's presence on the ticket and in the queue, and a reply that arrived while writing", async () => {
    // Bob's device (raw HTTP, as his app would) says he is replying to HD-1.
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@acme.example', password: PASSWORD, device_id: crypto.randomUUID(), device_name: 'e2e' }),
    }).then((r) => r.json());
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${login.token}` };
    const ticketId = JSON.parse(cli(bobDir, 'ticket', 'show', 'HD-1', '--json')).id;
    const say = (body) => fetch(`${url}/presence`, { method: 'PUT', headers, body: JSON.stringify(body) }).then((r) => assert.equal(r.status, 200));
    await say({ ticket_id: ticketId, state: 'replying' });
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="presence-replying"]' })).length === 1, "Bob's presence appears", 15000);
    assert.match(await (await find(driver, 'presence')).getText(), /Bob Li is replying/);
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-1"] [data-testid="row-presence"]' })).length === 1, 'and in the queue row');
    // Alice starts writing; Bob's reply arrives meanwhile: shown before she sends.
    await type(driver, 'composer-body', 'Also check the projector lamp');
    cli(bobDir, 'ticket', 'reply', 'HD-1', '--body', 'I am on my way to room 4 already.');
    cli(bobDir, 'sync', '--once');
    const banner = await find(driver, 'collision-banner', 20000);
    assert.match(await banner.getText(), /I am on my way to room 4 already/);
    await screenshot(driver, '09b-presence-and-collision');
    await click(driver, 'collision-ack');
    // Bob leaves: his presence goes.
    await say({ ticket_id: null, state: 'viewing' });
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="presence-replying"]' })).length === 0, "Bob's presence disappears", 15000);
  });
});
