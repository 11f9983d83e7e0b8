import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aChild, demoAgency, demoPartnership } from '../helpers/factories.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('subject access in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('the DPO logs a request, decides each flagged item on the redaction page and releases the export', async () => {
    const northmere = await demoPartnership(bc.ctx, 'northmere');
    const agency = (await demoAgency(bc.ctx, 'northmere', 'childrens_services')).id;
    const child = await aChild(bc.ctx, { partnership_id: northmere, owning_agency_id: agency, given_name: 'Gwen', family_name: 'Browsertest' });
    await bc.ctx.ownerQuery(
      `INSERT INTO case_notes (partnership_id, child_id, body, author_name) VALUES ($1, $2, 'Gwen spoke about her friends at school today', 'Synthetic Worker')`,
      [northmere, child],
    );

    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('dpo.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Subject access' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Log a subject access request' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Log a subject access request' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByRole('radio', { name: 'A child' }).check();
    await page.getByLabel('Record identifier', { exact: true }).fill(child);
    await page.getByRole('radio', { name: 'A parent or carer' }).check();
    await page.getByLabel('Requester’s name', { exact: true }).fill('Synthetic Parent');
    await fillDate(page, 'Date received', '2026-10-20');
    await page.getByRole('radio', { name: 'In English' }).check();
    await page.getByRole('button', { name: 'Log a subject access request' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('h1').textContent())!, /Gwen Browsertest/);
    const requestUrl = page.url();

    await page.getByRole('link', { name: /Review what is held/ }).click();
    await assertAccessible(page, bc);
    const radios = page.locator('input[type="radio"][value="redact"]');
    const n = await radios.count();
    assert.ok(n >= 2, 'the note and its author are flagged');
    for (let i = 0; i < n; i++) await radios.nth(i).check();
    await page.getByRole('button', { name: 'Save decisions' }).click();
    await assertAccessible(page, bc);
    assert.equal(page.url(), requestUrl);
    await page.getByRole('button', { name: 'Release the export' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Download the export (ZIP)' }).isVisible());

    // The register, at 320 px: reflows without horizontal scrolling of the page.
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${bc.baseUrl}/dpo/subject-access`);
    await assertAccessible(page, bc);
    assert.match((await page.locator('#requests').textContent())!, /Released/);
  });
});
