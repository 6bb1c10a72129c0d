// Team workflows in the real window, in Chinese: escalate a ticket with its business impact
// (the timeline says why and what it costs), edit its title, description, tags and site, apply a
// macro by keyboard, bulk-assign 20 tickets (and undo it), and merge a duplicate from the same requester
// into it (the kept ticket shows the duplicate's request; the duplicate closes), and save a view
// and see its count follow the tickets (unowned ones are flagged as a problem).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Key } from 'selenium-webdriver';
import { choose, cli, click, eventually, find, findAll, invoke, launch, screenshot, type, typeInto } from './harness.mjs';

describe('Team workflows', () => {
  let driver;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-team-'));
    cli(dir, 'init', '--name', '上海办公室', '--language', 'zh', '--timezone', 'Asia/Shanghai', '--email', 'wang.fang@acme.cn', '--user-name', '王芳');
    cli(dir, 'ticket', 'create', '--title', '财务系统无法登录', '--body', '财务部所有人登录 ERP 都提示密码错误。', '--priority', 'P2',
      '--requester', 'zhou.min@acme.cn', '--assignee', 'me');
    cli(dir, 'ticket', 'create', '--title', 'ERP 登录报错', '--body', '今天早上开始登录不了，月底要开票。', '--requester', 'zhou.min@acme.cn');
    cli(dir, 'macro', 'add', '--name', '请客户确认', '--body', '{requester.name}，您好：{ticket.number} 已处理，请确认是否恢复。——{agent.name}',
      '--set', 'status=pending_customer', '--set', 'tag=待确认');
    cli(dir, 'macro', 'add', '--name', '转交网络组', '--body', '', '--set', 'tier=L2');
    cli(dir, 'people', 'team-add', '网络组');
    cli(dir, 'people', 'add', '--email', 'li.wei@acme.cn', '--name', '李伟', '--role', 'agent', '--team', '网络组');
    for (let i = 1; i <= 20; i++) cli(dir, 'ticket', 'create', '--title', `打印机巡检 ${i} 号机`, '--priority', 'P4');
    ({ driver } = await launch(dir));
    await find(driver, 'ticket-list', 30000);
  });

  after(async () => {
    await driver?.quit();
  });

  const open = async (number) => {
    await click(driver, 'view-open');
    const row = await eventually(driver, async () => (await driver.findElements({ css: `[data-testid="ticket-row"][data-number="${number}"]` }))[0] ?? false, `${number} listed`);
    await row.click();
    await eventually(driver, async () => (await (await find(driver, 'ticket-view')).getAttribute('data-number')) === number, `${number} opens`);
  };

  it('escalates with the business impact, and the timeline says why', async () => {
    await open('HD-1');
    await click(driver, 'ticket-escalate');
    await find(driver, 'escalate-dialog');
    assert.equal(await (await find(driver, 'escalate-tier')).getAttribute('value'), 'L2');
    await type(driver, 'escalate-reason', '需要数据库管理员重置 ERP 账户');
    await click(driver, 'escalate-submit'); // no impact: refused beside the field
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="escalate-dialog"] [role="alert"], [data-testid="escalate-dialog"] .field-error' })).length > 0, 'the impact is asked for');
    await type(driver, 'escalate-impact', '财务部 12 人无法开票，周五月结');
    await screenshot(driver, '40-escalate-dialog-zh');
    await click(driver, 'escalate-submit');
    await eventually(driver, async () => (await (await find(driver, 'ticket-tier')).getAttribute('data-tier')) === 'L2', 'the ticket is at L2');
    await eventually(driver, async () => {
      const text = await (await find(driver, 'ticket-view')).getText();
      return text.includes('将工单升级 L1 → L2：需要数据库管理员重置 ERP 账户') && text.includes('业务影响：财务部 12 人无法开票，周五月结');
    }, 'the escalation is on the timeline');
    await screenshot(driver, '41-escalated-zh');
  });

  it('edits the title, description, tags and site in place', async () => {
    await open('HD-1');
    await click(driver, 'ticket-title-edit');
    const title = await find(driver, 'ticket-title-input');
    await title.clear();
    await title.sendKeys('财务部无法登录 ERP');
    await click(driver, 'ticket-title-save');
    await eventually(driver, async () => (await (await find(driver, 'ticket-title')).getText()).includes('财务部无法登录 ERP'), 'the new title');
    await click(driver, 'ticket-description-edit');
    await typeInto(driver, 'ticket-description-input', '\n\n补充：只有财务部受影响，其他部门正常。');
    await click(driver, 'ticket-description-save');
    await eventually(driver, async () => (await (await find(driver, 'ticket-description')).getText()).includes('只有财务部受影响'), 'the new description');
    await typeInto(driver, 'ticket-tags', 'ERP, 财务', Key.TAB);
    await eventually(driver, async () => (await invoke(driver, 'ticket_get', { reference: 'HD-1' })).tags.join(',') === 'erp,财务', 'the tags are saved');
    await typeInto(driver, 'ticket-site', '总部 5 楼财务部', Key.TAB);
    await eventually(driver, async () => (await invoke(driver, 'ticket_get', { reference: 'HD-1' })).site === '总部 5 楼财务部', 'the site is saved');
    await screenshot(driver, '41b-edited-zh');
  });

  it('applies a macro by keyboard: the reply goes out and the fields change at once', async () => {
    await open('HD-1');
    await driver.executeScript(() => document.activeElement?.blur());
    await driver.actions().sendKeys('m').perform();
    const search = await find(driver, 'macro-search');
    await search.sendKeys('确认');
    await eventually(driver, async () => (await findAll(driver, 'macro-item')).length === 1, 'one macro matches');
    await screenshot(driver, '44-macro-picker-zh');
    await search.sendKeys(Key.ENTER);
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="macro-picker"]' })).length === 0, 'the picker closes');
    await eventually(driver, async () => (await (await find(driver, 'ticket-status')).getAttribute('data-status')) === 'pending_customer', 'the status changed');
    await eventually(driver, async () => (await (await find(driver, 'ticket-view')).getText()).includes('zhou.min，您好：HD-1 已处理，请确认是否恢复。——王芳'), 'the reply is on the timeline');
    const t = await invoke(driver, 'ticket_get', { reference: 'HD-1' });
    assert.ok(t.tags.includes('待确认'), JSON.stringify(t.tags));
    await screenshot(driver, '45-macro-applied-zh');
  });

  it('bulk-assigns 20 tickets with one confirmation, and undoes it', async () => {
    await click(driver, 'view-unassigned');
    await eventually(driver, async () => (await find(driver, 'ticket-list')).getAttribute('data-total').then((n) => n === '21'), 'the unassigned queue');
    const first = await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-3"]' }))[0] ?? false, 'HD-3 listed');
    await driver.actions().keyDown(Key.CONTROL).click(first).keyUp(Key.CONTROL).perform();
    await find(driver, 'bulk-bar');
    await click(driver, 'bulk-select-all');
    await eventually(driver, async () => (await (await find(driver, 'bulk-count')).getText()).includes('21'), 'all 21 checked');
    // HD-2 is in this queue too: uncheck it with Ctrl+click, 20 remain.
    const two = await driver.findElement({ css: '[data-testid="ticket-row"][data-number="HD-2"]' });
    await driver.actions().keyDown(Key.CONTROL).click(two).keyUp(Key.CONTROL).perform();
    await eventually(driver, async () => (await (await find(driver, 'bulk-count')).getText()).includes('20'), '20 checked');
    await screenshot(driver, '46-bulk-bar-zh');
    const assign = await find(driver, 'bulk-assign');
    await assign.findElement({ css: 'option[value="li.wei@acme.cn"]' }).click();
    await find(driver, 'bulk-confirm');
    assert.match(await (await find(driver, 'bulk-confirm')).getText(), /将 20 个工单分配给 李伟/);
    await click(driver, 'bulk-confirm-submit');
    await eventually(driver, async () => (await (await find(driver, 'ticket-list')).getAttribute('data-total')) === '1', 'only HD-2 is left unassigned', 15000);
    const t = await invoke(driver, 'ticket_get', { reference: 'HD-10' });
    assert.equal(t.assignee.email, 'li.wei@acme.cn');
    await screenshot(driver, '47-bulk-done-zh');
    await click(driver, 'toast-action');
    await eventually(driver, async () => (await (await find(driver, 'ticket-list')).getAttribute('data-total')) === '21', 'undone: 21 unassigned again', 15000);
  });

  it('saves a view and sees its count', async () => {
    // Nobody owns the 20 inspections (no agent, no team queue): the Unowned view counts them.
    await eventually(driver, async () => (await (await find(driver, 'view-unowned')).getText()).includes('21'), 'the unowned count');
    await click(driver, 'view-open');
    await choose(driver, 'filter-priority', 'P4');
    await eventually(driver, async () => (await (await find(driver, 'ticket-list')).getAttribute('data-total')) === '20', 'the P4 tickets');
    await click(driver, 'save-view');
    await type(driver, 'save-view-name', '打印机巡检');
    await click(driver, 'save-view-submit');
    const saved = async () => (await driver.findElements({ css: '[data-testid="saved-view"][data-name="打印机巡检"]' }))[0] ?? false;
    const count = async () => (await (await eventually(driver, saved, 'the view is in the sidebar')).findElement({ css: '[data-testid="view-count"]' })).getText();
    await eventually(driver, async () => (await count()) === '20', 'the view counts 20');
    assert.equal(await (await find(driver, 'ticket-list')).getAttribute('data-total'), '20');
    assert.match(await (await find(driver, 'list-toolbar')).getText(), /打印机巡检/);
    await screenshot(driver, '51-saved-view-zh');
    // One of them becomes P2: the view's count follows.
    await open('HD-3');
    await choose(driver, 'ticket-priority', 'P2');
    await eventually(driver, async () => (await count()) === '19', 'the view counts 19', 15000);
    await (await saved()).click();
    await eventually(driver, async () => (await (await find(driver, 'ticket-list')).getAttribute('data-total')) === '19', 'the view lists 19');
    const unowned = await eventually(driver, async () => (await findAll(driver, 'row-unowned'))[0] ?? false, 'rows say nobody owns them');
    assert.equal(await unowned.getAttribute('textContent'), '无人负责');
  });

  it('adds an assignment rule and an escalation rule on the Workspace screen', async () => {
    await click(driver, 'workspace-button');
    await click(driver, 'admin-tab-routing');
    await find(driver, 'admin-routing');
    await type(driver, 'routing-name', '网络问题轮流分配');
    await type(driver, 'routing-when', 'keyword=VPN|网络, priority=P1|P2');
    await choose(driver, 'routing-kind', 'round_robin');
    await click(driver, 'routing-add');
    const rule = await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="routing-rule"][data-name="网络问题轮流分配"]' }))[0] ?? false, 'the rule is listed');
    assert.match(await rule.getText(), /keyword=vpn\|网络 · priority=P1\|P2 → 网络组 轮流分配/);
    await screenshot(driver, '53-routing-zh');
    await (await driver.findElement({ css: '[data-testid="workspace-admin"] button.close' })).click();
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="workspace-admin"][open]' })).length === 0, 'the Workspace screen closes');
    // My own availability: away (rules pass me over), then available again.
    await click(driver, 'my-availability');
    await click(driver, 'set-away');
    await eventually(driver, async () => (await (await find(driver, 'my-availability')).getAttribute('data-away')) === 'true', 'I am away');
    await screenshot(driver, '54-away-zh');
    await click(driver, 'my-availability');
    await click(driver, 'set-available');
    await eventually(driver, async () => (await (await find(driver, 'my-availability')).getAttribute('data-away')) === 'false', 'I am back');
    // The "saved" notes go (they sit over the lower queue rows the next steps click).
    await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="toast-info"]' })).length === 0, 'the notes go', 15000);
  });

  it('shows the same team tools in English', async () => {
    await click(driver, 'settings-button');
    await choose(driver, 'settings-language', 'en');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await open('HD-1');
    await eventually(driver, async () => (await (await find(driver, 'ticket-view')).getText()).includes('escalated L1 → L2'), 'the timeline in English');
    await click(driver, 'ticket-escalate');
    await find(driver, 'escalate-dialog');
    await screenshot(driver, '48-escalate-dialog-en');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await driver.executeScript(() => document.activeElement?.blur());
    await driver.actions().sendKeys('m').perform();
    await find(driver, 'macro-picker');
    await screenshot(driver, '49-macro-picker-en');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await click(driver, 'view-unassigned');
    const row = await eventually(driver, async () => (await driver.findElements({ css: '[data-testid="ticket-row"][data-number="HD-3"]' }))[0] ?? false, 'HD-3 listed');
    await driver.actions().keyDown(Key.CONTROL).click(row).keyUp(Key.CONTROL).perform();
    await find(driver, 'bulk-bar');
    await screenshot(driver, '50-bulk-bar-en');
    await click(driver, 'bulk-clear');
    await (await find(driver, 'saved-view')).click();
    await eventually(driver, async () => (await (await find(driver, 'ticket-list')).getAttribute('data-total')) === '19', 'the saved view in English');
    await eventually(driver, async () => (await (await findAll(driver, 'row-unowned'))[0]?.getAttribute('textContent')) === 'Unowned', 'Unowned in English');
    await screenshot(driver, '52-saved-view-en');
    await click(driver, 'settings-button');
    await choose(driver, 'settings-language', 'zh');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
  });

  it('merges a duplicate from the same requester into it', async () => {
    await open('HD-2');
    await click(driver, 'ticket-merge');
    await find(driver, 'merge-dialog');
    const candidate = await eventually(driver, async () => (await findAll(driver, 'merge-candidate'))[0] ?? false, 'a likely duplicate is offered');
    assert.equal(await candidate.getAttribute('data-number'), 'HD-1');
    assert.equal(await (await find(driver, 'merge-into')).getAttribute('value'), 'HD-1');
    await screenshot(driver, '42-merge-dialog-zh');
    await click(driver, 'merge-submit');
    // The kept ticket opens with the duplicate's request in its conversation.
    await eventually(driver, async () => (await (await find(driver, 'ticket-view')).getAttribute('data-number')) === 'HD-1', 'the kept ticket opens');
    await eventually(driver, async () => {
      const text = await (await find(driver, 'ticket-view')).getText();
      return text.includes('今天早上开始登录不了，月底要开票。') && text.includes('将 HD-2 合并到本工单');
    }, "the duplicate's request is on the kept ticket");
    await screenshot(driver, '43-merged-zh');
    const dup = await invoke(driver, 'ticket_get', { reference: 'HD-2' });
    assert.equal(dup.status, 'closed', JSON.stringify(dup).slice(0, 300));
    assert.equal(dup.links[0].kind, 'duplicate_of');
  });
});
