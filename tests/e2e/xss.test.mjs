// Hostile text stays text (issue 14): XSS payloads put into every field a person can type
// into — workspace and people names, categories, ticket titles, descriptions, replies, notes,
// knowledge articles (title and Markdown) — are shown literally in the real window and never
// run: no payload sets its marker, no element gets an event handler, a javascript:/data:
// link, a frame or an inline script, in the queue, the ticket view, search and the
// knowledge base.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Key } from 'selenium-webdriver';
import { cli, click, eventually, find, findAll, launch, screenshot, type } from './harness.mjs';

/** Each payload, when it runs, sets window.__xss to its own number. */
const PAYLOADS = [
  (n) => `<img src=x onerror="window.__xss=${n}">`,
  (n) => `<script>window.__xss=${n}</script>`,
  (n) => `<svg onload="window.__xss=${n}"></svg>`,
  (n) => `"><img src=x onerror=window.__xss=${n}>`,
  (n) => `<a href="javascript:window.__xss=${n}">open</a>`,
  (n) => `[click](javascript:window.__xss=${n})`,
  (n) => `<iframe src="javascript:window.__xss=${n}"></iframe>`,
  (n) => `<a href="jav&#x61;script:window.__xss=${n}">entity</a>`,
  (n) => `<details open ontoggle="window.__xss=${n}">x</details>`,
  (n) => `<a href="data:text/html,<script>parent.__xss=${n}</script>">data</a>`,
  (n) => `{{constructor.constructor('window.__xss=${n}')()}}`,
  (n) => `<style>@import 'javascript:window.__xss=${n}';</style><b style="background:url(javascript:window.__xss=${n})">s</b>`,
];
let counter = 100;
const payload = (i) => PAYLOADS[i % PAYLOADS.length](counter++);
const all = () => PAYLOADS.map((p) => p(counter++)).join('\n\n');

/** What the page holds that could run: all of it must be zero/null. */
async function dangers(driver) {
  return driver.executeScript(`
    const els = [...document.querySelectorAll('*')];
    return {
      fired: window.__xss ?? null,
      handlers: els.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 120)),
      links: els.filter((e) => ['href', 'src', 'action', 'formaction', 'xlink:href'].some((a) => /^\\s*(javascript|vbscript|data:text)/i.test(e.getAttribute(a) ?? ''))).map((e) => e.outerHTML.slice(0, 120)),
      frames: document.querySelectorAll('iframe, object, embed, frame').length,
      inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      styles: [...document.querySelectorAll('body style')].length,
    };`);
}

async function assertInert(driver, where) {
  // Images fail and handlers would fire asynchronously: give them time.
  await driver.sleep(800);
  const d = await dangers(driver);
  assert.deepEqual(d, { fired: null, handlers: [], links: [], frames: 0, inlineScripts: 0, styles: 0 }, `${where}: ${JSON.stringify(d)}`);
}

describe('XSS payloads are inert in the real window', () => {
  let driver;
  const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-xss-'));
  const title = payload(0) + ' printer';
  const agentName = payload(2);

  before(async () => {
    cli(dir, 'init', '--name', payload(3), '--user-name', payload(4), '--email', 'owner@acme.example', '--timezone', 'UTC');
    // A category is at most 40 characters without commas: the shortest payloads fit.
    cli(dir, 'workspace', 'set', '--categories', 'hardware,other,<img src=x onerror=window.__xss=9>');
    cli(dir, 'people', 'add', '--email', 'evil@acme.example', '--name', agentName, '--role', 'agent');
    const categories = JSON.parse(cli(dir, '--json', 'workspace', 'show')).categories;
    const hostile = categories.find((c) => c.startsWith('<'));
    cli(dir, 'ticket', 'create', '--title', title, '--body', all(), '--assignee', 'evil@acme.example', '--category', hostile);
    cli(dir, 'ticket', 'create', '--title', payload(5), '--body', payload(6));
    cli(dir, 'ticket', 'reply', 'HD-1', '--body', all());
    cli(dir, 'ticket', 'note', 'HD-1', '--body', all());
    const article = JSON.parse(cli(dir, '--json', 'kb', 'add', '--title', payload(7) + ' printer guide', '--body', all(), '--audience', 'public'));
    cli(dir, 'kb', 'publish', article.id);
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 60000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('the queue shows hostile titles, names and categories as text', async () => {
    await click(driver, 'view-open');
    await eventually(driver, async () => (await findAll(driver, 'ticket-row')).length === 2, 'two rows');
    const text = await driver.executeScript('return document.body.innerText');
    assert.ok(text.includes('<img src=x onerror='), 'the title is shown literally');
    await screenshot(driver, 'xss-01-queue');
    await assertInert(driver, 'queue');
  });

  it('the ticket view renders descriptions, replies and notes without running them', async () => {
    let row;
    for (const r of await findAll(driver, 'ticket-row')) if ((await r.getAttribute('data-number')) === 'HD-1') row = r;
    await driver.executeScript('arguments[0].click()', row);
    await eventually(driver, async () => (await (await find(driver, 'ticket-title')).getText()).includes('printer'), 'HD-1 open', 15000);
    const shown = await (await find(driver, 'ticket-title')).getText();
    assert.ok(shown.includes('<img src=x onerror='), `title as text: ${shown}`);
    await screenshot(driver, 'xss-02-ticket');
    await assertInert(driver, 'ticket view');
    // Every link the Markdown made is safe to click.
    const hrefs = await driver.executeScript(`return [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))`);
    for (const h of hrefs) assert.ok(!/^\s*(javascript|vbscript|data)/i.test(h), h);
  });

  it('search results and the knowledge base stay inert', async () => {
    await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
    await type(driver, 'search-input', 'printer');
    await driver.sleep(600);
    await screenshot(driver, 'xss-03-search');
    await assertInert(driver, 'search');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await click(driver, 'view-kb');
    const item = (await eventually(driver, async () => (await findAll(driver, 'kb-item'))[0] ?? false, 'an article listed', 15000));
    await item.click();
    const heading = await (await find(driver, 'kb-article-title')).getText();
    assert.ok(heading.includes('<') && heading.includes('printer guide'), `article title as text: ${heading}`);
    await screenshot(driver, 'xss-04-kb');
    await assertInert(driver, 'knowledge base');
  });
});
