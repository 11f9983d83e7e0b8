import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aChild, demoAgency, demoPartnership } from '../helpers/factories.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('data subjects’ rights in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the DPO records and decides a rectification request and restricts processing; the worker sees both on the child', async () => {
    const northmere = await demoPartnership(bc.ctx, 'northmere');
    const agency = (await demoAgency(bc.ctx, 'northmere', 'childrens_services')).id;
    const reference = 'DR-BROWSER-1';
    const id = await aChild(bc.ctx, { partnership_id: northmere, owning_agency_id: agency, reference, given_name: 'Nia', family_name: 'Synthetic' });

    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('dpo.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Data rights' }).first().click();
    await assertAccessible(page, bc);
    // Finding nothing: the error summary.
    await page.getByRole('button', { name: 'Find the record' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByRole('radio', { name: 'Child' }).check();
    await page.getByLabel('Case reference or record ID').fill(reference);
    await page.getByRole('button', { name: 'Find the record' }).click();
    await page.waitForURL(`**/dpo/data-rights/child/${id}`);
    await assertAccessible(page, bc);

    // A rectification request: empty first, then filled in.
    await page.getByRole('link', { name: 'Record a rectification request' }).click();
    await page.getByRole('button', { name: 'Record the request' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByLabel('Who asked').fill('The subject');
    await fillDate(page, 'Date received', '2026-01-31');
    await page.getByLabel('Which record or detail is disputed').fill('Date of birth on the child’s record');
    await page.getByLabel('What the requester says is right').fill('Born on 4 March 2011');
    await page.getByRole('button', { name: 'Record the request' }).click();
    await page.waitForURL('**/dpo/data-rights/requests/*');
    await assertAccessible(page, bc);
    assert.match((await page.locator('#request').textContent())!, /28 February 2026/);
    assert.match((await page.locator('#request').textContent())!, /Overdue/);

    await page.getByRole('radio', { name: 'Supplementary statement added' }).check();
    await page.getByLabel('The subject’s statement').fill('I was born in March.');
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save the decision' }).click();
    await page.waitForURL(`**/dpo/data-rights/child/${id}`);

    // Restricting processing.
    await page.getByRole('link', { name: 'Restrict processing' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Reason', { exact: true }).fill('Accuracy contested');
    await fillDate(page, 'Restricted from', '2026-11-01');
    await page.getByRole('button', { name: 'Restrict processing' }).click();
    await page.waitForURL(`**/dpo/data-rights/child/${id}`);
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('button', { name: 'Lift the restriction' }).isVisible());
    await page.getByRole('link', { name: 'Data subjects’ rights' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#restrictions').textContent())!, new RegExp(reference));
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The child's worker: the banner and the statement, and no DPO links.
    await signInWithBrowser(page, bc, bc.ctx.account('social-worker.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children/${id}`);
    await assertAccessible(page, bc);
    assert.ok(await page.locator('#processing-restricted').isVisible());
    assert.match((await page.locator('#subject-statements').textContent())!, /The subject disputes this record:[\s\S]*I was born in March\./);
    assert.equal(await page.locator('#data-rights-links').count(), 0);
  });
});
