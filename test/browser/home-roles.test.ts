import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/** Each role's home page summary (issue 15 §4), in English and Welsh, checked with axe. */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('home pages by role in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  const roles = [
    { email: 'strategy.northmere@lantern.example', heading: 'Your strategy plans', welsh: 'Eich cynlluniau strategaeth' },
    { email: 'councillor.northmere@lantern.example', heading: 'Plan status', welsh: 'Statws y cynlluniau' },
    { email: 'coordinator.northmere@lantern.example', heading: 'Your cohort', welsh: 'Eich carfan' },
  ];
  for (const role of roles) {
    test(`the home page of ${role.email} summarises what matters to it`, async () => {
      const page = await bc.newPage();
      await signInWithBrowser(page, bc, bc.ctx.account(role.email));
      await assertAccessible(page, bc);
      assert.ok(await page.getByRole('heading', { name: role.heading, level: 2 }).isVisible());
      await page.goto(`${bc.baseUrl}/?lang=cy`);
      await assertAccessible(page, bc);
      assert.ok(await page.getByRole('heading', { name: role.welsh, level: 2 }).isVisible());
      await page.goto(`${bc.baseUrl}/?lang=en`);
      await page.close();
    });
  }

  test('the board member’s quarterly report link opens the report', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('councillor.northmere@lantern.example'));
    await page.locator('#plan-status-table a[href*="/quarterly?quarter="]').first().click();
    await assertAccessible(page, bc);
    assert.match(page.url(), /\/quarterly\?quarter=2026-07-01$/);
    await page.close();
  });
});
