// End-to-end flows of the desktop app, in the real window. Each test ends with a screenshot.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Key } from 'selenium-webdriver';
import {
  choose, click, createTicket, createWorkspace, eventually, find, findAll, launch, screenshot, type,
} from './harness.mjs';

describe('Helpdeck desktop app', () => {
  let driver;

  before(async () => {
    ({ driver } = await launch());
  });

  after(async () => {
    await driver?.quit();
  });

  it('first run creates a local workspace', async () => {
    await createWorkspace(driver, { language: 'en' });
    const counts = await findAll(driver, 'view-count');
    assert.ok(counts.length >= 6, 'sidebar views with counts');
    await screenshot(driver, '01-first-run-done');
  });

  it('creates a ticket', async () => {
    const number = await createTicket(driver, {
      title: 'Printer on floor 3 jams',
      body: 'The **HP LaserJet** in room 301 jams on every print job.',
      priority: 'P2',
    });
    assert.equal(number, 'HD-1');
    assert.equal(await (await find(driver, 'ticket-status')).getAttribute('data-status'), 'new');
    const badges = await findAll(driver, 'sla-badge');
    assert.ok(badges.length >= 2, 'SLA badges for first response and resolution');
    await screenshot(driver, '02-ticket-created');
  });

  it('replies publicly and adds an internal note', async () => {
    await click(driver, 'composer-mode-reply');
    await type(driver, 'composer-body', 'We are sending a technician this afternoon.');
    await click(driver, 'composer-send');
    await eventually(driver, async () => (await findAll(driver, 'timeline-reply')).length === 1, 'reply in timeline');
    await click(driver, 'composer-mode-note');
    await type(driver, 'composer-body', 'Roller kit is in the van.');
    await click(driver, 'composer-send');
    await eventually(driver, async () => (await findAll(driver, 'timeline-note')).length === 1, 'note in timeline');
    const note = (await findAll(driver, 'timeline-note'))[0];
    assert.match(await note.getText(), /Roller kit is in the van/);
    const reply = (await findAll(driver, 'timeline-reply'))[0];
    const [noteBg, replyBg] = [await note.getCssValue('background-color'), await reply.getCssValue('background-color')];
    assert.notEqual(noteBg, replyBg, 'an internal note looks different from a public reply');
    await eventually(driver, async () => {
      const badge = await driver.findElement({ css: '[data-testid="sla-badge"][data-target="first_response"]' });
      return (await badge.getAttribute('data-state')) === 'met';
    }, 'the public reply met the first-response target');
    await screenshot(driver, '03-reply-and-note');
  });

  it('attaches a pasted screenshot to a reply and shows its preview', async () => {
    await click(driver, 'composer-mode-reply');
    // A screenshot on the clipboard (a real PNG), pasted into the reply as Ctrl+V delivers it.
    const png = readFileSync(new URL('../../icons/128x128.png', import.meta.url)).toString('base64');
    await driver.executeScript((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const file = new File([bytes], 'image.png', { type: 'image/png' });
      const paste = new Event('paste', { bubbles: true, cancelable: true });
      Object.defineProperty(paste, 'clipboardData', { value: { files: [file] } });
      document.querySelector('[data-testid="composer-body"]').dispatchEvent(paste);
    }, png);
    await eventually(driver, async () => (await findAll(driver, 'composer-file')).length === 1, 'the pasted file waits in the composer');
    await type(driver, 'composer-body', 'Here is what the customer sees.');
    await click(driver, 'composer-send');
    await eventually(driver, async () => (await findAll(driver, 'timeline-reply')).length === 2, 'second reply in timeline');
    await eventually(driver, async () => {
      const img = await driver.findElements({ css: '[data-testid="timeline-reply"] [data-testid="attachment-image"]' });
      if (img.length !== 1) return false;
      return (await driver.executeScript('return arguments[0].complete && arguments[0].naturalWidth', img[0])) === 128;
    }, 'the screenshot preview shows in the reply');
    // The timeline shows the device's thumbnail; opening it shows the full image.
    await driver.findElement({ css: '[data-testid="timeline-reply"] [data-testid="attachment-image"]' }).click();
    await find(driver, 'attachment-viewer');
    await eventually(driver, async () => {
      const full = await driver.findElements({ css: '[data-testid="attachment-full"]' });
      if (full.length !== 1) return false;
      return (await driver.executeScript('return arguments[0].complete && arguments[0].naturalWidth', full[0])) === 128;
    }, 'the full image opens');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="attachment-viewer"]' })).length === 0, 'the viewer closes');
    assert.equal((await findAll(driver, 'composer-file')).length, 0, 'the composer is empty again');
    await driver.executeScript(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(driver, '03b-pasted-screenshot');
  });

  it('resolves with cause and solution, then reopens', async () => {
    await click(driver, 'transition-resolved');
    await find(driver, 'resolve-dialog');
    await click(driver, 'resolve-submit'); // empty: must be refused
    assert.equal(await (await find(driver, 'ticket-status')).getAttribute('data-status'), 'new');
    await type(driver, 'resolve-cause', 'Worn pickup roller');
    await type(driver, 'resolve-solution', 'Replaced the roller kit');
    await click(driver, 'resolve-submit');
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'resolved',
      'resolved',
    );
    await click(driver, 'transition-open');
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'open',
      'reopened',
    );
    await screenshot(driver, '04-resolved-and-reopened');
  });

  it('a rating of 2 opens the follow-up call, recorded level by level', async () => {
    const before = await driver.executeScript(() => document.querySelector('nav .view.active')?.getAttribute('data-testid'));
    await click(driver, 'transition-resolved');
    await type(driver, 'resolve-cause', 'Worn pickup roller');
    await type(driver, 'resolve-solution', 'Replaced the roller kit again');
    await click(driver, 'resolve-submit');
    await eventually(driver, async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'resolved', 'resolved');
    // On a local workspace the agent records the rating the customer gave on the phone.
    await click(driver, 'rating-star-2');
    await type(driver, 'rating-comment', 'Third jam this month');
    await click(driver, 'rating-submit');
    const panel = await find(driver, 'followup', 15000);
    assert.equal(await panel.getAttribute('data-open'), 'true');
    const steps = await findAll(driver, 'followup-step');
    assert.equal(steps.length, 1);
    assert.equal(await steps[0].getAttribute('data-level'), 'handler');
    assert.match(await (await find(driver, 'followup-due')).getText(), /Call within/);
    // The call is the agent's task, with its timer, in the Follow-up calls view.
    await click(driver, 'view-followups');
    const task = await find(driver, 'followup-task');
    assert.equal(await task.getAttribute('data-number'), 'HD-1');
    await eventually(driver, async () => (await (await find(driver, 'view-followups')).getText()).includes('1'), 'the view counts the call');
    await screenshot(driver, '04b-followup-task');
    // A note is required; then the handler's call is recorded and the supervisor's opens.
    await click(driver, 'followup-not_recovered');
    await click(driver, 'followup-submit');
    await find(driver, 'field-error-note');
    await type(driver, 'followup-note', 'Apologised; she wants a replacement printer.');
    await click(driver, 'followup-submit');
    await eventually(driver, async () => (await findAll(driver, 'followup-step')).length === 2, 'the supervisor level opens');
    const levels = await Promise.all((await findAll(driver, 'followup-step')).map((e) => e.getAttribute('data-level')));
    assert.deepEqual(levels, ['handler', 'supervisor']);
    await screenshot(driver, '04c-followup-recorded');
    if (before) await click(driver, before);
  });

  it('searches in Chinese and in English', async () => {
    await createTicket(driver, { title: '财务部网络打印机脱机', body: '三楼的网络打印机无法打印' });
    await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
    await type(driver, 'search-input', '网络');
    await eventually(driver, async () => {
      const results = await findAll(driver, 'search-result');
      return results.length === 1 && (await results[0].getAttribute('data-number')) === 'HD-2';
    }, 'Chinese search finds HD-2');
    await screenshot(driver, '05a-search-chinese');
    await type(driver, 'search-input', 'printer');
    await eventually(driver, async () => {
      const results = await findAll(driver, 'search-result');
      return results.length === 1 && (await results[0].getAttribute('data-number')) === 'HD-1';
    }, 'English search finds HD-1');
    const marks = await driver.findElements({ css: '[data-testid="search-result"] mark' });
    assert.ok(marks.length > 0, 'matches are highlighted');
    await screenshot(driver, '05b-search-english');
    await (await find(driver, 'search-input')).sendKeys(Key.ESCAPE);
  });

  it('links two tickets and shows the link on both', async () => {
    // HD-2 is open (created in the search test).
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-view')).getAttribute('data-number')) === 'HD-2',
      'HD-2 is open',
    );
    await choose(driver, 'link-kind', 'duplicate_of');
    await type(driver, 'link-target', '1');
    await click(driver, 'link-submit');
    await eventually(driver, async () => {
      const links = await findAll(driver, 'ticket-link');
      return links.length === 1 && (await links[0].getAttribute('data-number')) === 'HD-1';
    }, 'HD-2 shows its link to HD-1');
    assert.match(await (await find(driver, 'ticket-links')).getText(), /Duplicate of[\s\S]*HD-1/);
    await screenshot(driver, '05c-linked-duplicate');
    // The other side, one click away.
    await driver.findElement({ css: '[data-testid="ticket-link"] button.ref' }).click();
    await eventually(
      driver,
      async () => (await (await find(driver, 'ticket-view')).getAttribute('data-number')) === 'HD-1',
      'HD-1 opens from the link',
    );
    await eventually(driver, async () => {
      const links = await findAll(driver, 'ticket-link');
      return links.length === 1 && (await links[0].getAttribute('data-number')) === 'HD-2';
    }, 'HD-1 shows the link back to HD-2');
    assert.match(await (await find(driver, 'ticket-links')).getText(), /Duplicated by[\s\S]*HD-2/);
    await screenshot(driver, '05d-linked-other-side');
  });

  it('switches the language and the UI changes', async () => {
    // textContent: the settings dialog's backdrop covers the sidebar, and WebDriver's
    // getText() reports only text it considers visible.
    const label = async () =>
      (await driver.executeScript('return arguments[0].textContent', await find(driver, 'view-mine'))).trim();
    const before = await label();
    await click(driver, 'settings-button');
    await choose(driver, 'settings-language', 'zh');
    await eventually(driver, async () => /[\u4e00-\u9fff]/.test(await label()), 'sidebar in Chinese');
    assert.notEqual(await label(), before);
    // The Chinese text is drawn with real glyphs, not blank boxes: with no CJK font, 视图
    // renders exactly like two characters no font has (U+E000, private use).
    const glyphs = await driver.executeScript(() => {
      const font = getComputedStyle(document.querySelector('[data-testid="view-mine"]')).font;
      const draw = (text) => {
        const c = document.createElement('canvas');
        c.width = 120;
        c.height = 40;
        const g = c.getContext('2d');
        g.font = font;
        g.fillStyle = '#000';
        g.fillText(text, 4, 28);
        return c.toDataURL();
      };
      return { cjk: draw('视图'), missing: draw('\uE000\uE000') };
    });
    assert.notEqual(glyphs.cjk, glyphs.missing, 'a CJK font is installed and used');
    await screenshot(driver, '06-chinese-ui');
    await choose(driver, 'settings-language', 'en');
    await eventually(driver, async () => (await label()) === before, 'back to English');
    await click(driver, 'settings-close');
  });

  it('renders a script payload in a ticket body as text, never running it', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hello';
    await createTicket(driver, { title: 'Payload ticket', body: payload });
    const description = await find(driver, 'ticket-description');
    await eventually(driver, async () => (await description.getText()).includes('hello'), 'description shown');
    assert.equal(await driver.executeScript('return window.__xss === undefined'), true, 'no script ran');
    const scripts = await description.findElements({ css: 'script, img[onerror], [onerror]' });
    assert.equal(scripts.length, 0, 'no active markup in the description');
    assert.match(await description.getText(), /<script>window.__xss=2<\/script>/, 'the payload is shown as text');
    await screenshot(driver, '07-script-payload-as-text');
  });

  it('keeps an English knowledge article and suggests it while replying', async () => {
    const before = await driver.executeScript(() => document.querySelector('nav .view.active')?.getAttribute('data-testid'));
    await click(driver, 'view-kb');
    await click(driver, 'kb-new');
    await type(driver, 'kb-title', 'Printer jams on every job');
    await type(driver, 'kb-body', 'Open the rear cover, remove the jammed paper and replace a worn roller kit.');
    await choose(driver, 'kb-audience', 'public');
    await click(driver, 'kb-publish');
    await eventually(driver, async () => (await (await find(driver, 'kb-article')).getAttribute('data-status')) === 'published', 'published');
    await screenshot(driver, '06-kb-article-en');
    await click(driver, 'kb-upkeep');
    await find(driver, 'kb-upkeep-pane');
    await screenshot(driver, '06b-kb-upkeep-en');
    if (before) await click(driver, before);
  });

  it('opens a search as a list', async () => {
    await driver.actions().keyDown(Key.CONTROL).sendKeys('k').keyUp(Key.CONTROL).perform();
    await type(driver, 'search-input', 'printer OR 打印机');
    const total = await eventually(driver, async () => {
      const el = await driver.findElements({ css: '[data-testid="search-total"]' });
      if (!el.length) return false;
      const n = Number((await el[0].getText()).replace(/[^\d]/g, ''));
      return n >= 2 ? n : false;
    }, 'the search says how many tickets match');
    await click(driver, 'search-open-list');
    await find(driver, 'list-search-chip');
    await eventually(
      driver,
      async () => Number(await (await find(driver, 'ticket-list')).getAttribute('data-total')) === total,
      'the list holds every match',
    );
    await screenshot(driver, '07b-search-as-list');
  });

  it('opens a ticket from a helpdeck:// link', async () => {
    // A second launch with the link hands it to the running app (single instance) and ends.
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: process.env.HELPDECK_E2E_BUS ?? process.env.DBUS_SESSION_BUS_ADDRESS };
    const second = spawnSync(process.env.HELPDECK_APP, ['helpdeck://ticket/HD-1'], { env, timeout: 30000 });
    assert.equal(second.status, 0, `the second launch handed the link over and ended: ${second.stderr}`);
    await eventually(
      driver,
      async () => (await driver.findElements({ css: '[data-testid="ticket-view"][data-number="HD-1"]' })).length === 1,
      'the link opened HD-1 in the running window',
      20000,
    );
    await screenshot(driver, '07c-opened-from-link');
  });
});
