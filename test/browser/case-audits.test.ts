import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('case audit journey in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a strategy lead runs a themed audit from scope to report', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Case audits' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Start a themed audit' }).click();
    await assertAccessible(page, bc);

    // Nothing filled in: the error summary.
    await page.getByLabel('Title of the audit').fill('');
    await page.getByRole('button', { name: 'Draw the sample' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Enter the title of the audit' }).isVisible());

    // Scope, period, criteria, a stratified sample with a seed.
    await page.getByLabel('Title of the audit').fill('Themed audit of CSE cases');
    await page.getByLabel('Scope').fill('CSE cases, with reference to the Rotherham recommendations.');
    await fillDate(page, 'Start of the audit period', '2026-01-01');
    await fillDate(page, 'End of the audit period', '2026-10-31');
    await page.getByLabel('How many records to sample').fill('4');
    await page.getByRole('radio', { name: 'Stratified' }).check();
    await page.getByRole('radio', { name: 'Risk level' }).check();
    await page.getByLabel('Seed').fill('4242');
    await page.getByRole('button', { name: 'Draw the sample' }).click();
    await assertAccessible(page, bc);
    assert.equal((await page.locator('.lantern-audit-seed').textContent())!.trim(), '4242');
    assert.equal(await page.locator('#sample tbody tr').count(), 4);

    // The lead names themselves as an auditor (a strategy lead may audit), then opens the audit.
    const [lead] = await bc.ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'strategy.northmere@lantern.example'`);
    await page.getByLabel('Auditor').selectOption(lead!.id);
    await page.getByRole('button', { name: 'Add the auditor' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Open the audit to its auditors' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.locator('#audit-status').textContent(), 'In progress');

    // The auditor's pages: the sample, a record, the tool's questions.
    await page.getByRole('link', { name: 'Audit the sampled records' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Record 1', exact: true }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save your answers' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    for (const group of await page.locator('form .govuk-radios').all()) await group.locator('input').first().check();
    await page.getByLabel('Comments (optional)').fill('Return interview offered late.');
    await page.getByRole('button', { name: 'Save your answers' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#my-records').textContent())!, /Outstanding/);

    // Moderation, findings, learning, and the report.
    await page.getByRole('link', { name: 'Case audits' }).first().click();
    await page.getByRole('link', { name: 'Themed audit of CSE cases' }).click();
    await page.getByLabel('Good').check();
    await page.getByLabel('Why this grade').fill('Agreed at the panel.');
    await page.getByRole('button', { name: 'Save the agreed grade' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('The audit’s findings').fill('Return interviews were not always timely.');
    await page.getByRole('button', { name: 'Save the findings' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('A learning action').fill('Offer every return interview within 72 hours.');
    await page.getByRole('button', { name: 'Add the learning action' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Close the audit' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Read the audit report' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('main').textContent())!, /Return interviews were not always timely/);
    assert.ok(await page.locator('#grade-table').isVisible());
  });
});
