import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aChild, demoAgency, demoPartnership } from '../helpers/factories.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('retention and disposal in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the administrator holds one record and proposes a run; the DPO approves it and reads the certificate', async () => {
    const northmere = await demoPartnership(bc.ctx, 'northmere');
    const agency = (await demoAgency(bc.ctx, 'northmere', 'childrens_services')).id;
    const closed = { partnership_id: northmere, owning_agency_id: agency, date_of_birth: '1990-02-01', status: 'closed', closing_outcome: 'risk_reduced' };
    const held = await aChild(bc.ctx, { ...closed, closed_at: new Date('2008-01-01T12:00:00Z') });
    const disposed = await aChild(bc.ctx, { ...closed, closed_at: new Date('2008-01-01T12:00:00Z') });

    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Retention' }).first().click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#due').textContent())!, /Closed children’s records/);

    // A hold with nothing filled in: the error summary; then a hold on one record.
    await page.getByRole('link', { name: /Legal holds/ }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByLabel('Name', { exact: true }).fill('Independent inquiry: moratorium');
    await page.getByLabel('Reason', { exact: true }).fill('Records relevant to the inquiry');
    await page.getByRole('radio', { name: 'The records named below' }).check();
    await page.getByLabel('Record ids', { exact: true }).fill(held);
    await fillDate(page, 'Hold starts', '2015-07-01');
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#holds').textContent())!, /Independent inquiry: moratorium/);

    await page.getByRole('link', { name: 'Retention and disposal' }).click();
    await page.getByRole('button', { name: 'Propose a disposal run' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('#second-person').isVisible());
    const runUrl = page.url();
    assert.match((await page.locator('#items').textContent())!, new RegExp(disposed));
    assert.doesNotMatch((await page.locator('#items').textContent())!, new RegExp(held));
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signInWithBrowser(page, bc, bc.ctx.account('dpo.northmere@lantern.example'));
    await page.goto(runUrl);
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Approve and dispose' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.locator('h1').textContent(), 'Disposal certificate');
    assert.match((await page.locator('#certificate').textContent())!, /[0-9a-f]{64}/);
    assert.equal((await bc.ctx.ownerQuery(`SELECT 1 FROM children WHERE id = $1`, [disposed])).length, 0);
    assert.equal((await bc.ctx.ownerQuery(`SELECT 1 FROM children WHERE id = $1`, [held])).length, 1);
  });
});
