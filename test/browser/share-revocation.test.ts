import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aRecordShare, demoAgency } from '../helpers/factories.ts';

/** Stopping a share from the child page in a real browser, with axe on every page: the reason is required. */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('stopping a share in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the police stop sharing a child’s record with the schools service, giving a reason', async () => {
    const [child] = await bc.ctx.ownerQuery<{ id: string; partnership_id: string }>(
      `SELECT c.id, c.partnership_id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'northmere' AND c.reference = 'NM-1012'`,
    );
    await aRecordShare(bc.ctx, {
      partnership_id: child!.partnership_id,
      record_id: child!.id,
      agency_id: (await demoAgency(bc.ctx, 'northmere', 'education')).id,
    });
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('police.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children/${child!.id}`);
    await assertAccessible(page, bc);

    const name = 'Stop sharing with Northmere Schools Safeguarding Service';
    await page.getByText(name, { exact: true }).click();
    await page.getByRole('button', { name }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Give a reason' }).click();
    await page.getByLabel('Why are you stopping this share?').fill('The school’s part in the joint work has ended.');
    await page.getByRole('button', { name }).click();
    await page.waitForURL(`${bc.baseUrl}/children/${child!.id}`);
    await assertAccessible(page, bc);
    assert.equal(await page.getByRole('button', { name }).count(), 0, 'the share is no longer listed');
    assert.match((await page.textContent('body')) ?? '', /Not shared outside the agency that holds it\./);
    await page.close();
  });
});
