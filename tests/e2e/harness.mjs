// Drives the real Helpdeck binary over WebDriver: tauri-driver (started by scripts/task
// under Xvfb) forwards to WebKitWebDriver, which launches the app with a fresh data dir.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, By, Capabilities, until } from 'selenium-webdriver';

const APP = process.env.HELPDECK_APP;
const DRIVER_URL = process.env.TAURI_DRIVER_URL ?? 'http://127.0.0.1:4444/';
const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? join(tmpdir(), 'helpdeck-e2e-screenshots');
mkdirSync(SHOTS, { recursive: true });

const CLI = process.env.HELPDECK_CLI;
/** The password of every account the e2e servers make. */
export const PASSWORD = 'e2e-password-123';
// The app and the CLI share the test's session bus (and its unlocked keyring).
const cliEnv = {
  ...process.env,
  DBUS_SESSION_BUS_ADDRESS: process.env.HELPDECK_E2E_BUS ?? process.env.DBUS_SESSION_BUS_ADDRESS,
  HELPDECK_PASSWORD: PASSWORD,
};

/** Runs the helpdeck CLI on a data dir; throws with its stderr when it fails. */
export function cli(dataDir, ...args) {
  if (!CLI) throw new Error('HELPDECK_CLI must point at the built helpdeck binary');
  // A large export is more than spawnSync's default 1 MiB of output.
  const r = spawnSync(CLI, ['--data-dir', dataDir, ...args], { env: cliEnv, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`helpdeck ${args.join(' ')}: ${r.stderr}${r.signal ? ` (${r.signal})` : ''}${r.error ? ` ${r.error}` : ''}`);
  return r.stdout;
}

/** Starts a Helpdeck server (SQLite) with agents `alice@acme.example` and `bob@acme.example`
 * and customer `carol@client.example` (organization "Client Ltd"); returns the process, its
 * URL and its data dir. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-server-'));
  cli(dir, 'server', 'user', 'add', '--email', 'alice@acme.example', '--name', 'Alice Chen', '--role', 'agent');
  cli(dir, 'server', 'user', 'add', '--email', 'bob@acme.example', '--name', 'Bob Li', '--role', 'agent');
  cli(dir, 'server', 'user', 'add', '--email', 'carol@client.example', '--name', '陈卡罗', '--role', 'customer', '--org', 'Client Ltd');
  const server = spawn(CLI, ['--data-dir', dir, 'server', '--listen', '127.0.0.1:0', '--name', 'Acme IT'], {
    env: cliEnv,
    stdio: ['ignore', 'pipe', 'ignore'], // request logs go to stderr: not read, so not piped
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { server, url, dir };
}

/** Calls a Tauri command from inside the page (an error comes back as `{ error }`). */
export async function invoke(driver, cmd, args = {}) {
  return driver.executeAsyncScript(
    (c, a, done) => {
      window.__TAURI_INTERNALS__.invoke(c, a).then(done, (e) => done({ error: String(e?.message ?? e) }));
    },
    cmd,
    args,
  );
}

/** Starts the app on a new, empty data dir (or the given one). `exitOnClose: false` keeps
 * the app's own behaviour (closing hides it to the tray). */
export async function launch(dataDir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-')), { exitOnClose = true } = {}) {
  if (!APP) throw new Error('HELPDECK_APP must point at the built helpdeck-desktop binary');
  const caps = new Capabilities();
  caps.setBrowserName('wry');
  // --exit-on-close: ending the WebDriver session closes the window, and the app with it
  // (otherwise it would keep running in the tray).
  const args = ['--data-dir', dataDir, ...(exitOnClose ? ['--exit-on-close'] : [])];
  caps.set('tauri:options', { application: APP, args });
  const build = () => new Builder().withCapabilities(caps).usingServer(DRIVER_URL).build();
  let driver;
  try {
    driver = await build();
  } catch (e) {
    if (!/Maximum number of active sessions/.test(String(e?.message ?? e))) throw e;
    // A file that timed out left its app (and its WebDriver session) behind: end that app
    // so that one failure does not fail every file after it.
    try {
      execFileSync('pkill', ['-KILL', '-f', 'helpdeck-desktop --data-dir']);
    } catch {
      // none left
    }
    await new Promise((r) => setTimeout(r, 3000));
    driver = await build();
  }
  await driver.manage().setTimeouts({ implicit: 0, script: 10000 });
  return { driver, dataDir };
}

export const byTest = (id) => By.css(`[data-testid="${id}"]`);

/** Waits for an element by test id and returns it. */
export async function find(driver, id, timeout = 10000) {
  return driver.wait(until.elementLocated(byTest(id)), timeout, `no [data-testid=${id}]`);
}

/**
 * Types `keys` into a field once it takes them: shown, in view and focusable. A field just
 * rendered (an editor opened by a click) was once found before WebKit could focus it
 * ("Element is not focusable"); a refused attempt types nothing and is tried again.
 */
export async function typeInto(driver, id, ...keys) {
  await eventually(driver, async () => {
    const el = await find(driver, id);
    await driver.executeScript((e) => e.scrollIntoView({ block: 'center' }), el);
    if (!(await el.isDisplayed()) || !(await el.isEnabled())) return false;
    await el.sendKeys(...keys);
    return true;
  }, `[data-testid=${id}] takes keys`);
}

export async function findAll(driver, id) {
  return driver.findElements(byTest(id));
}

/** Waits until `fn` returns a truthy value. */
export async function eventually(driver, fn, message, timeout = 10000) {
  return driver.wait(async () => {
    try {
      return await fn();
    } catch {
      return false;
    }
  }, timeout, message);
}

export async function type(driver, id, text) {
  const el = await find(driver, id);
  await el.clear();
  await el.sendKeys(text);
  return el;
}

export async function click(driver, id) {
  const el = await find(driver, id);
  // WebKitWebDriver does not scroll nested panes (the ticket's side column) by itself.
  await driver.executeScript((e) => e.scrollIntoView({ block: 'center' }), el);
  await driver.wait(until.elementIsVisible(el), 5000);
  await el.click();
  return el;
}

/** Selects an option of a <select> by its value. */
export async function choose(driver, id, value) {
  const el = await find(driver, id);
  await driver.executeScript(
    (sel, v) => { sel.value = v; sel.dispatchEvent(new Event('change', { bubbles: true })); sel.dispatchEvent(new Event('input', { bubbles: true })); },
    el,
    value,
  );
}

/** Saves a PNG of the window into the screenshot folder. */
export async function screenshot(driver, name) {
  // Two animation frames (or 300 ms where a hidden window draws none): what the last step
  // changed is painted before the picture.
  await driver.executeAsyncScript((done) => {
    setTimeout(done, 300);
    requestAnimationFrame(() => requestAnimationFrame(() => done()));
  });
  const png = await driver.takeScreenshot();
  writeFileSync(join(SHOTS, `${name}.png`), png, 'base64');
}

/** Waits for the first-run form and for WebKit to have applied its `autofocus` (which it may
 * do late on a loaded machine: focus jumping mid-typing would scramble the fields). */
export async function firstRunReady(driver) {
  await find(driver, 'first-run-form', 20000);
  await eventually(
    driver,
    async () => (await driver.executeScript('return document.activeElement?.dataset?.testid')) === 'ws-name',
    'first-run form focused',
    20000,
  );
}

/** Fills the first-run form and waits for the queue. */
export async function createWorkspace(driver, { language = 'en', demo = false } = {}) {
  await firstRunReady(driver);
  await type(driver, 'ws-name', 'Acme IT');
  await choose(driver, 'ws-language', language);
  await type(driver, 'ws-owner-name', 'Wang Fang');
  await type(driver, 'ws-owner-email', 'wang.fang@acme.example');
  const demoBox = await find(driver, 'ws-demo');
  if ((await demoBox.isSelected()) !== demo) await demoBox.click();
  await click(driver, 'ws-submit');
  await find(driver, 'ticket-list', 60000);
}

/** Creates a ticket through the form and waits for its view. */
export async function createTicket(driver, { title, body = '', priority = 'P3' }) {
  await click(driver, 'new-ticket-button');
  await find(driver, 'create-form');
  await type(driver, 'create-title', title);
  if (body) await type(driver, 'create-body', body);
  await choose(driver, 'create-priority', priority);
  await click(driver, 'create-submit');
  await eventually(driver, async () => (await (await find(driver, 'ticket-title')).getText()).includes(title), `ticket view for ${title}`);
  // The view re-renders as data arrives: look it up again rather than keep a stale element.
  return eventually(driver, async () => (await find(driver, 'ticket-view')).getAttribute('data-number'), 'ticket number');
}
