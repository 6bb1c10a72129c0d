// A word more tickets contain than a search counts (2,000): the palette says "2,000+" in the
// workspace's language and shows the newest open tickets first.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Key } from 'selenium-webdriver';
import { cli, eventually, find, launch, screenshot, type } from './harness.mjs';

const MATCHING = 2005;

/** A workspace with MATCHING tickets whose titles hold both a Chinese and an English word. */
function workspace(language) {
  const dir = mkdtempSync(join(tmpdir(), `helpdeck-e2e-scale-${language}-`));
  cli(dir, 'init', '--name', 'Scale', '--language', language, '--timezone', 'Asia/Shanghai', '--email', 'wang.fang@acme.example');
  const at = '2026-11-20T01:00:00Z';
  const tickets = Array.from({ length: MATCHING }, (_, i) => ({
    title: `三楼打印机卡纸 printer jam ${i + 1}`,
    kind: 'incident',
    category: 'hardware',
    status: 'new',
    priority: 'P3',
    channel: 'phone',
    tier: 'L1',
    created_at: at,
    updated_at: at,
  }));
  const file = join(dir, 'tickets.json');
  writeFileSync(file, JSON.stringify(tickets));
  cli(dir, 'import', file);
  return dir;
}

for (const [language, query, shot] of [
  ['zh', '打印机', '05c-search-2000-plus-zh'],
  ['en', 'printer', '05d-search-2000-plus-en'],
]) {
  describe(`Searching a word ${MATCHING} tickets contain (${language})`, () => {
    let driver;

    after(async () => {
      await driver?.quit();
    });

    it('says 2,000+ and lists the newest first', async () => {
      ({ driver } = await launch(workspace(language)));
      await find(driver, 'ticket-list', 30000);
      await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
      await type(driver, 'search-input', query);
      const total = await eventually(driver, async () => {
        const el = await driver.findElements({ css: '[data-testid="search-total"]' });
        return el.length ? (await el[0].getText()).trim() : false;
      }, 'the search says how many tickets match');
      assert.ok(total.startsWith('2,000+'), total);
      assert.match(total, language === 'zh' ? /条结果，最新的在前/ : /matches, newest first/);
      // The first hit is the newest matching ticket.
      const first = await eventually(driver, async () => {
        const hits = await driver.findElements({ css: '[data-testid="search-result"]' });
        return hits.length ? hits[0].getText() : false;
      }, 'hits');
      assert.ok(first.includes(`HD-${MATCHING}`), first);
      await screenshot(driver, shot);
    });
  });
}
