// The field technician's day in the real window (issue 15), in Chinese: open Today, start the
// next visit's timer with one key, tick the checklist with a photo and a reading, stop the
// timer, draw the customer's signature with the pointer, sign off — then the same visit as the
// CLI reads it from the workspace file. In English: the day with a visit left from yesterday.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Key } from 'selenium-webdriver';
import { cli, click, eventually, find, findAll, launch, screenshot, type } from './harness.mjs';

const PNG = readFileSync(join(import.meta.dirname, '../../icons/Square150x150Logo.png')).toString('base64');

/** Puts a photo into the panel's file input, as the file picker (or a camera) does. */
async function pickPhoto(driver, item) {
  const buttons = await findAll(driver, 'wo-item-photo');
  await buttons[item].click();
  await driver.executeScript((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'ups-panel.png', { type: 'image/png' }));
    const input = document.querySelector('[data-testid="wo-photo-input"]');
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, PNG);
}

describe("A technician's day", () => {
  let driver;
  let dir;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-wo-'));
    cli(dir, 'init', '--name', '上海办公室', '--language', 'zh', '--timezone', 'Asia/Shanghai', '--email', 'li.lei@acme.cn', '--user-name', '李雷');
    cli(dir, 'ticket', 'create', '--title', '机房 UPS 报警', '--body', '三楼机房 UPS 一直鸣叫。', '--priority', 'P2', '--assignee', 'me');
    cli(
      dir, 'workorder', 'create', 'HD-1', '--start', '00:30', '--end', '23:30',
      '--site', '上海市浦东新区世纪大道 88 号 3 楼机房', '--contact', '李伟 138 0000 0000',
      '--item', '检查 UPS 面板 [photo]', '--item', '电池电压 [reading:V]', '--item', '切换测试',
    );
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('starts the next visit with one key and works through its checklist', async () => {
    await click(driver, 'view-today');
    await eventually(driver, async () => (await findAll(driver, 'today-visit')).length === 1, 'the visit');
    const visits = await findAll(driver, 'today-visit');
    assert.match(await visits[0].getText(), /机房 UPS 报警/);
    assert.match(await visits[0].getText(), /还差 5 项/);
    await screenshot(driver, '60-today-zh');
    // T: the work timer of the next visit starts, and the visit opens.
    await driver.findElement({ css: 'body' }).sendKeys('t');
    await find(driver, 'wo-timer');
    const panel = await find(driver, 'workorder-panel');
    assert.equal(await panel.getAttribute('data-status'), 'in_progress');
    // A photo for the customer, a reading, a tick.
    await click(driver, 'wo-photo-public');
    await pickPhoto(driver, 0);
    await eventually(driver, async () => (await (await findAll(driver, 'wo-item'))[0].getAttribute('data-done')) === 'true', 'the photo ticks its item');
    await type(driver, 'wo-reading-input', '13.4');
    await (await find(driver, 'wo-reading-input')).sendKeys(Key.ENTER);
    await eventually(driver, async () => (await (await findAll(driver, 'wo-item'))[1].getAttribute('data-done')) === 'true', 'the reading ticks its item');
    await (await findAll(driver, 'wo-item-check'))[2].click();
    await eventually(driver, async () => (await (await findAll(driver, 'wo-item'))[2].getAttribute('data-done')) === 'true', 'ticked');
    await click(driver, 'wo-timer-stop');
    await eventually(driver, async () => (await findAll(driver, 'wo-timer')).length === 0, 'the timer stopped');
    await eventually(driver, async () => !(await findAll(driver, 'wo-missing')).length, 'nothing but the signature is missing');
    await screenshot(driver, '61-workorder-checklist-zh');
  });

  it('takes the signature drawn with the pointer and signs off', async () => {
    await type(driver, 'wo-signer', '李伟');
    const pad = await find(driver, 'signature-pad');
    const rect = await pad.getRect();
    const left = -Math.floor(rect.width / 2) + 30;
    await driver
      .actions()
      .move({ origin: pad, x: left, y: 10 })
      .press()
      .move({ origin: pad, x: left + 60, y: -25, duration: 100 })
      .move({ origin: pad, x: left + 120, y: 20, duration: 100 })
      .move({ origin: pad, x: left + 200, y: -10, duration: 100 })
      .release()
      .perform();
    await screenshot(driver, '62-workorder-signature-zh');
    await click(driver, 'wo-sign');
    const signed = await find(driver, 'wo-signed');
    assert.match(await signed.getText(), /李伟 已签字/);
    const panel = await find(driver, 'workorder-panel');
    await eventually(driver, async () => (await panel.getAttribute('data-status')) === 'done', 'done');
    await screenshot(driver, '63-workorder-signed-zh');
    // The workspace file holds what the window showed.
    const list = JSON.parse(cli(dir, '--json', 'workorder', 'list')).work_orders;
    assert.equal(list[0].status, 'done');
    assert.equal(list[0].signoff.signer, '李伟');
    assert.equal(list[0].checklist[1].reading, '13.4');
    assert.ok(list[0].time.some((e) => e.kind === 'work' && e.minutes >= 1));
    assert.equal(list[0].checklist[0].photos.length, 1);
    const ticket = JSON.parse(cli(dir, '--json', 'ticket', 'show', 'HD-1'));
    const images = ticket.attachments.filter((a) => a.media_type === 'image/png');
    assert.equal(images.length, 2, 'the photo and the signature are files of the ticket');
    // The service report: a PDF in the ticket's language, attached for the customer; its
    // first page as the customer will see it.
    await click(driver, 'wo-report');
    let pdf;
    await eventually(driver, async () => {
      const t = JSON.parse(cli(dir, '--json', 'ticket', 'show', 'HD-1'));
      pdf = t.attachments.find((a) => a.media_type === 'application/pdf');
      return !!pdf;
    }, 'the report on the ticket');
    const shots = process.env.E2E_SCREENSHOT_DIR ?? tmpdir();
    const file = join(dir, 'report.pdf');
    cli(dir, 'attachment', 'get', pdf.sha256, '--out', file);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    for (const words of ['服务报告', '机房 UPS 报警', '电池电压', '13.4 V', '李伟', '现场照片']) {
      assert.ok(text.includes(words), `the report says ${words}: ${text}`);
    }
    execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', file, join(shots, '65-service-report-zh')]);
    // Done visits leave the day.
    await eventually(driver, async () => (await findAll(driver, 'today-visit')).length === 0, 'the day is empty');
  });
});

describe('The day in English', () => {
  let driver;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-wo-en-'));
    cli(dir, 'init', '--name', 'Acme IT', '--language', 'en', '--timezone', 'Europe/London', '--email', 'tom@acme.example', '--user-name', 'Tom Baker');
    cli(dir, 'ticket', 'create', '--title', 'Server room UPS beeps', '--priority', 'P2', '--assignee', 'me');
    cli(dir, 'ticket', 'create', '--title', 'Replace the toner in the 2nd floor printer', '--priority', 'P3', '--assignee', 'me');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    cli(dir, 'workorder', 'create', 'HD-2', '--start', `${yesterday} 15:00`, '--end', `${yesterday} 16:00`, '--site', '2nd floor, 10 King St', '--item', 'Replace toner', '--item', 'Test print [photo]');
    cli(
      dir, 'workorder', 'create', 'HD-1', '--start', '00:30', '--end', '23:30',
      '--site', 'Server room, 10 King St', '--contact', 'Dave, ext. 214',
      '--item', 'UPS front panel [photo]', '--item', 'Battery voltage [reading:V]', '--item', 'Transfer test',
    );
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  it('lists the visit left from yesterday first, then today', async () => {
    await click(driver, 'view-today');
    await eventually(driver, async () => (await findAll(driver, 'today-visit')).length === 2, 'two visits');
    const visits = await findAll(driver, 'today-visit');
    assert.match(await visits[0].getText(), /Replace the toner/);
    assert.match(await visits[0].getText(), /from /);
    await visits[1].click();
    await find(driver, 'workorder-panel');
    await screenshot(driver, '64-today-en');
  });
});
