// The reports dashboard in the real window (issue 16): a demo workspace's last 30 days, in
// Chinese and in English; the figures are the CLI's (`helpdeck report --json` for the same
// days); a bar of the daily chart opens the queue of exactly the tickets it counts; the
// tables behind the charts and the printable report are saved as the CLI writes them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, click, eventually, find, findAll, launch, screenshot } from './harness.mjs';

/** `YYYY-MM-DD` in a time zone, `days` from now. */
function day(zone, days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

async function tileValue(driver, figure) {
  const tile = await driver.findElement({ css: `[data-testid="report-tile"][data-figure="${figure}"] [data-testid="report-value"]` });
  return tile.getText();
}

for (const { lang, zone, shot } of [
  { lang: 'zh', zone: 'Asia/Shanghai', shot: '72-dashboard-zh' },
  { lang: 'en', zone: 'Europe/London', shot: '73-dashboard-en' },
]) {
  describe(`The dashboard (${lang})`, () => {
    let driver;
    let dir;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `helpdeck-e2e-report-${lang}-`));
      cli(dir, 'init', '--name', lang === 'zh' ? '上海办公室' : 'Acme IT', '--language', lang, '--timezone', zone);
      cli(dir, 'demo', '--tickets', '600', '--seed', '7');
      ({ driver } = await launch(dir));
      await find(driver, 'ticket-list', 30000);
    });

    after(async () => {
      await driver?.quit();
    });

    it('shows the last 30 days as the CLI counts them', async () => {
      await click(driver, 'view-reports');
      await find(driver, 'reports-view');
      await click(driver, 'report-range-30d');
      await eventually(driver, async () => (await findAll(driver, 'report-tile')).length >= 12, 'the figures');
      const cliReport = JSON.parse(cli(dir, '--json', 'report', '--since', day(zone, -29), '--until', day(zone)));
      const c = cliReport.current;
      assert.ok(c.created > 20, `a demo month has tickets: ${c.created}`);
      await eventually(driver, async () => (await tileValue(driver, 'created')) === String(c.created), `created ${c.created}`);
      assert.equal(await tileValue(driver, 'resolved'), String(c.resolved));
      assert.equal(await tileValue(driver, 'backlog'), String(c.backlog));
      assert.equal(await tileValue(driver, 'sla'), c.sla_compliance == null ? '—' : `${(c.sla_compliance * 100).toFixed(1)}%`);
      assert.equal(await tileValue(driver, 'fcr'), c.first_contact_resolution == null ? '—' : `${(c.first_contact_resolution * 100).toFixed(1)}%`);
      await find(driver, 'chart-heatmap');
      await screenshot(driver, shot);
      await driver.executeScript((el) => el.scrollIntoView({ block: 'start' }), await find(driver, 'chart-backlog'));
      await screenshot(driver, `${shot}-lower`);

      // A bar of the daily chart: the queue of the tickets created that day.
      const busiest = cliReport.daily.reduce((best, d, i) => (d.created > cliReport.daily[best].created ? i : best), 0);
      const chart = await find(driver, 'chart-trend');
      await driver.executeScript((el) => el.scrollIntoView({ block: 'center' }), chart);
      const [x, y] = await driver.executeScript(
        (el, i, v) => el.pixelOf(0, i, v),
        chart,
        busiest,
        Math.max(1, cliReport.daily[busiest].created / 2),
      );
      const rect = await chart.getRect();
      await driver.actions().move({ origin: chart, x: Math.round(x - rect.width / 2), y: Math.round(y - rect.height / 2) }).click().perform();
      const total = await eventually(
        driver,
        async () => {
          const t = await (await find(driver, 'list-total')).getAttribute('data-total');
          return t === '' ? false : Number(t);
        },
        'the queue behind the bar',
      );
      assert.equal(total, cliReport.daily[busiest].created, `tickets created on ${cliReport.daily[busiest].day}`);
      assert.match(await (await find(driver, 'list-toolbar')).getText(), new RegExp(cliReport.daily[busiest].day));
      if (lang === 'zh') await screenshot(driver, '74-dashboard-drill-zh');
    });

    it('saves the tables behind the charts and the printable report as the CLI writes them', async () => {
      await click(driver, 'view-reports');
      await find(driver, 'reports-view');
      await click(driver, 'report-range-30d');
      await eventually(driver, async () => (await findAll(driver, 'report-tile')).length >= 12, 'the figures');
      // The app's breakdown is by category (the CLI's default is by team).
      const days = ['--since', day(zone, -29), '--until', day(zone), '--by', 'category'];
      const saved = async (button) => {
        const before = await driver.executeScript(() => document.querySelector('[data-testid="report-saved"]')?.textContent ?? '');
        const el = await find(driver, button);
        await driver.executeScript((e) => e.scrollIntoView({ block: 'center' }), el);
        await el.click();
        return eventually(driver, async () => {
          const now = await driver.executeScript(() => document.querySelector('[data-testid="report-saved"]')?.textContent ?? '');
          return now && now !== before ? now : false;
        }, `the file ${button} saves`);
      };
      for (const table of ['daily', 'compliance', 'breakdown']) {
        const path = await saved(`report-csv-${table}`);
        assert.match(path, new RegExp(`helpdeck-report-${table}-${day(zone, -29)}_${day(zone)}`));
        const expected = cli(dir, 'report', ...days, '--format', 'csv', '--table', table);
        assert.equal(readFileSync(path, 'utf8'), expected, `${table}.csv is the CLI's`);
      }
      // The toast says where it went, in the user's language.
      const toast = await eventually(driver, async () => {
        const text = await driver.executeScript(() => document.body.innerText);
        return text.includes('helpdeck-report-breakdown') ? text : false;
      }, 'the saved toast');
      assert.match(toast, lang === 'zh' ? /已将 helpdeck-report-breakdown/ : /Saved helpdeck-report-breakdown/);
      if (lang === 'zh') await screenshot(driver, '75-dashboard-saved-zh');

      const page = readFileSync(await saved('report-print'), 'utf8');
      const expected = cli(dir, 'report', ...days, '--format', 'html', '--lang', lang);
      // The same page but for the minute it was made.
      const stamp = (html) => html.replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/g, 'T');
      assert.equal(stamp(page), stamp(expected), 'the printable report is the CLI\'s');
      assert.match(page, lang === 'zh' ? /服务报告|报告/ : /Service report|report/i);
      // The page as a browser shows it (same engine, the fonts the test command installs).
      await driver.executeScript((html) => {
        const f = document.createElement('iframe');
        f.id = 'printable';
        f.srcdoc = html;
        f.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;z-index:2147483647;border:0;background:#fff';
        document.body.appendChild(f);
      }, page);
      await driver.sleep(500);
      await screenshot(driver, `76-printable-report-${lang}`);
      await driver.executeScript(() => document.getElementById('printable')?.remove());
    });
  });
}
