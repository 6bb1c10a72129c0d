// A workspace whose key is not in this computer's keyring (copied from a stolen or dead
// laptop, or the keyring was reset) opens on a screen that says so and shows the two ways
// back — restore a backup, or sign in again — in English and in Chinese; nothing is
// readable and nothing is written.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, find, launch, screenshot } from './harness.mjs';

function lockedWorkspace(language) {
  const dir = mkdtempSync(join(tmpdir(), 'helpdeck-e2e-locked-'));
  cli(dir, 'init', '--name', 'Field kit', '--email', 'tech@acme.example', '--language', language);
  cli(dir, 'ticket', 'create', '--title', 'Server room door code 4471');
  // Another computer: the workspace names a key its keyring does not hold.
  writeFileSync(join(dir, 'helpdeck.keyid'), `${randomUUID()}\n`);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ language }));
  return dir;
}

describe('A workspace locked on this computer', () => {
  for (const language of ['en', 'zh']) {
    it(`says so and shows the ways back (${language})`, async () => {
      const dir = lockedWorkspace(language);
      const db = readFileSync(join(dir, 'helpdeck.db'));
      const { driver } = await launch(dir);
      try {
        const card = await find(driver, 'locked', 60000);
        const text = await card.getText();
        assert.ok(text.includes(language === 'en' ? 'locked on this computer' : '无法解锁'), text);
        assert.ok((await (await find(driver, 'locked-restore')).getText()).includes('restore BACKUP-FILE'));
        assert.ok(!text.includes('4471'));
        // No first-run form: a new workspace must not be made over the locked one.
        assert.equal((await driver.findElements({ css: '[data-testid="first-run-form"]' })).length, 0);
        await screenshot(driver, `locked-${language}`);
      } finally {
        await driver.quit();
      }
      assert.ok(readFileSync(join(dir, 'helpdeck.db')).equals(db), 'nothing was written');
    });
  }
});
