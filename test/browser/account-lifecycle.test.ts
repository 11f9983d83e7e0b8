import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { demoAgency, demoPartnership } from '../helpers/factories.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('account lifecycle in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the administrator gives notice to a dormant account, then previews and applies a joiners and leavers file', async () => {
    const northmere = await demoPartnership(bc.ctx, 'northmere');
    const police = await demoAgency(bc.ctx, 'northmere', 'police');
    const name = (await bc.ctx.ownerQuery<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [police.id]))[0]!.name;
    await bc.ctx.ownerQuery(
      `INSERT INTO users (partnership_id, agency_id, email, display_name, roles, created_at, last_signed_in_at)
       VALUES ($1, $2, 'dormant.browser@lantern.example', 'Dormant Browser', ARRAY['practitioner'], $3, $3)`,
      [northmere, police.id, new Date(bc.ctx.clock.now().getTime() - 120 * 86_400_000)],
    );
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await page.getByRole('link', { name: 'People' }).first().click();
    await page.getByRole('link', { name: 'Dormant accounts' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#dormant').textContent())!, /Dormant Browser/);
    await page.locator('#give-notice').click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent())!, /Notice given/);

    await page.getByRole('link', { name: 'Back to people' }).click();
    await page.getByRole('link', { name: 'Joiners and leavers' }).click();
    await assertAccessible(page, bc);
    await page
      .getByLabel('Or paste the CSV')
      .fill(
        `email,given_name,family_name,agency,role,action\njoiner.browser@lantern.example,Jo,Joiner,${name},practitioner,join\nbad-email,A,B,${name},practitioner,join`,
      );
    await page.getByRole('button', { name: 'Preview the changes' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#preview').textContent())!, /The email address is not valid/);
    await page.locator('#apply-feed').click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent())!, /1 new accounts/);
    assert.equal((await bc.ctx.ownerQuery(`SELECT 1 FROM users WHERE email = 'joiner.browser@lantern.example'`)).length, 1);
  });
});
