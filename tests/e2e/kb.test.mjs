// The knowledge base in the real window, in Chinese: write and publish an article with a
// diagnosis script and a pasted screenshot, find it from Ctrl+K, see it suggested while writing a reply, run its
// script on a ticket (the steps go on the timeline, and "solved" resolves the ticket), and
// make an article from a resolved ticket.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Key } from 'selenium-webdriver';
import { choose, cli, click, eventually, find, findAll, launch, screenshot, type } from './harness.mjs';

describe('The knowledge base', () => {
  let driver;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-kb-'));
    cli(dir, 'init', '--name', '上海办公室', '--language', 'zh', '--timezone', 'Asia/Shanghai', '--email', 'wang.fang@acme.cn', '--user-name', '王芳');
    cli(dir, 'ticket', 'create', '--title', '三楼打印机卡纸', '--body', '每次打印都卡纸，显示错误代码。', '--priority', 'P3', '--assignee', 'me');
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('writes and publishes an article with a diagnosis script in Chinese', async () => {
    await click(driver, 'view-kb');
    await click(driver, 'kb-new');
    await type(driver, 'kb-title', '打印机卡纸处理');
    await type(driver, 'kb-body', '1. 关闭打印机电源。\n2. 打开后盖，轻轻取出卡住的纸张。\n3. 合上后盖，重新打印。');
    await choose(driver, 'kb-audience', 'public');
    await click(driver, 'kb-add-step');
    await click(driver, 'kb-add-step');
    const instructions = await findAll(driver, 'kb-step-instruction');
    const expected = await findAll(driver, 'kb-step-expected');
    await instructions[0].sendKeys('关闭打印机电源');
    await expected[0].sendKeys('指示灯熄灭');
    await instructions[1].sendKeys('打开后盖取出卡纸');
    await expected[1].sendKeys('纸路中没有残留纸张');
    // A screenshot pasted into the text, as Ctrl+V delivers it, shows where the cursor is.
    const png = readFileSync(join(import.meta.dirname, '../../icons/Square150x150Logo.png')).toString('base64');
    await driver.executeScript((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      const area = document.querySelector('[data-testid="kb-body"]');
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
      area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, png);
    await eventually(driver, async () => /!\[screenshot-[^\]]+\.png\]\(attachment:[0-9a-f]{64}\)/.test(await (await find(driver, 'kb-body')).getAttribute('value')), 'the image in the text');
    const shows = () => driver.executeScript(() => [...document.querySelectorAll('.markdown img[data-file]')].some((i) => i.naturalWidth === 150));
    await click(driver, 'kb-preview');
    await eventually(driver, shows, 'the preview shows the image');
    await click(driver, 'kb-publish');
    const article = await find(driver, 'kb-article');
    await eventually(driver, async () => (await article.getAttribute('data-status')) === 'published', 'published');
    await eventually(driver, shows, 'the published article shows the image');
    assert.equal(await (await find(driver, 'kb-article-title')).getText(), '打印机卡纸处理');
    assert.equal((await findAll(driver, 'kb-item')).length, 1);
    await screenshot(driver, '30-kb-article-zh');
    // Its English version, linked as its translation.
    await click(driver, 'kb-translate');
    await find(driver, 'kb-translating');
    assert.equal(await (await find(driver, 'kb-lang')).getAttribute('value'), 'en');
    await type(driver, 'kb-title', 'Clearing a printer paper jam');
    await type(driver, 'kb-body', 'Switch the printer off, open the rear cover and remove the jammed paper.');
    await click(driver, 'kb-publish');
    await eventually(driver, async () => (await (await find(driver, 'kb-article-title')).getText()) === 'Clearing a printer paper jam', 'the translation');
    await click(driver, 'kb-translation');
    await eventually(driver, async () => (await (await find(driver, 'kb-article-title')).getText()) === '打印机卡纸处理', 'back to the Chinese version');
  });

  it('finds the article from Ctrl+K', async () => {
    await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
    await type(driver, 'search-input', '卡纸');
    const hit = await find(driver, 'search-article');
    assert.match(await hit.getText(), /打印机卡纸处理/);
    await screenshot(driver, '31-kb-in-search-zh');
    await hit.click();
    await eventually(driver, async () => (await (await find(driver, 'kb-article-title')).getText()) === '打印机卡纸处理', 'the article opens');
  });

  it('suggests the article while a reply is written, and inserts it with one key', async () => {
    await click(driver, 'view-open');
    const row = await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-1"]' }))[0] ?? false, 'HD-1 listed');
    await row.click();
    await find(driver, 'ticket-view');
    const body = await find(driver, 'composer-body');
    await body.sendKeys('您好，请先按以下步骤处理卡纸：');
    const suggestion = await find(driver, 'kb-suggestion', 15000);
    assert.match(await suggestion.getText(), /打印机卡纸处理/);
    await screenshot(driver, '32-kb-suggested-in-reply-zh');
    await body.sendKeys(Key.chord(Key.ALT, '1'));
    await eventually(driver, async () => (await body.getAttribute('value')).includes('**打印机卡纸处理**'), 'the article is in the reply');
  });

  it('runs the diagnosis script on the ticket and resolves it with the article', async () => {
    await click(driver, 'diag-start');
    await click(driver, 'diag-choice');
    await eventually(driver, async () => (await (await find(driver, 'diag-step')).getAttribute('data-step')) === '1', 'step 1');
    await click(driver, 'diag-ok');
    await eventually(driver, async () => (await (await find(driver, 'diag-step')).getAttribute('data-step')) === '2', 'step 2');
    await type(driver, 'diag-note', '后盖内仍有碎纸');
    await click(driver, 'diag-not');
    await find(driver, 'diag-done');
    await eventually(driver, async () => {
      const text = await (await find(driver, 'ticket-view')).getText();
      return text.includes('执行诊断第 1/2 步') && text.includes('后盖内仍有碎纸');
    }, 'the steps are on the timeline');
    await screenshot(driver, '33-kb-diagnosis-zh');
    await click(driver, 'diag-resolve');
    await eventually(driver, async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'resolved', 'resolved with the article');
  });

  it('makes an article from the resolved ticket', async () => {
    await click(driver, 'kb-from-ticket');
    // The editor opens once the draft is loaded (found afresh: the view may render twice).
    await eventually(driver, async () => (await (await find(driver, 'kb-title')).getAttribute('value')) === '三楼打印机卡纸', 'the draft carries the ticket title');
    assert.match(await (await find(driver, 'kb-body')).getAttribute('value'), /## 解决方法/);
    await screenshot(driver, '34-kb-from-ticket-zh');
    await click(driver, 'kb-save');
    const article = await find(driver, 'kb-article');
    await eventually(driver, async () => (await article.getAttribute('data-status')) === 'draft', 'saved as a draft');
    await eventually(driver, async () => (await findAll(driver, 'kb-item')).length === 3, 'three articles listed');
  });
});
