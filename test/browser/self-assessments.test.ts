import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('Board self-assessment in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a strategy lead rates a standard with evidence, adds the improvement action to the plan and compares the years', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Self-assessments' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Start a self-assessment' }).click();
    await assertAccessible(page, bc);

    // Nothing filled in: the error summary.
    await page.getByRole('button', { name: 'Start the self-assessment' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Choose the framework' }).isVisible());

    await page.getByRole('radio', { name: 'Standards for tackling child sexual exploitation' }).check();
    await page.getByLabel('Year').fill('2026');
    await page.getByLabel('Title').fill('Annual CSE self-assessment');
    await page.getByRole('button', { name: 'Start the self-assessment' }).click();
    await assertAccessible(page, bc);
    assert.equal((await page.locator('#assessment-status').textContent())!.trim(), 'In progress');

    // The first standard: a rating, a narrative, an improvement action, and evidence.
    await page.getByRole('link', { name: '1-1', exact: true }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save the rating' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByRole('radio', { name: 'Partly met' }).check();
    await page.getByLabel('Narrative').fill('The strategy is agreed; two agencies have no named lead.');
    await page.getByLabel('Improvement action').fill('Name a senior lead in every agency.');
    await page.getByRole('button', { name: 'Save the rating' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#standard-1-1').textContent())!, /Partly met/);

    await page.getByRole('link', { name: '1-1', exact: true }).click();
    const firstPlan = page.locator('#evidence option[value^="plan:"]').first();
    await page.getByLabel('Link evidence').selectOption(await firstPlan.getAttribute('value'));
    await page.getByRole('button', { name: 'Link the evidence' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.locator('ul#evidence li').count(), 1);

    // Into the action plan.
    const plan = page.locator('#planId option:not([value=""])').first();
    await page.getByLabel('Action plan', { exact: true }).selectOption(await plan.getAttribute('value'));
    const [outcome] = await bc.ctx.ownerQuery<{ outcome_ref: string }>(`SELECT outcome_ref FROM strategy_actions WHERE plan_id = $1 ORDER BY id LIMIT 1`, [
      await plan.getAttribute('value'),
    ]);
    await page.getByLabel('Reference of the new action').fill(`${outcome!.outcome_ref}w`);
    await page.getByRole('button', { name: 'Add to the action plan' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#in-plan').textContent())!, new RegExp(`action ${outcome!.outcome_ref.replace('.', '\\.')}w`));

    // The comparison (one year so far) and the page in Welsh.
    await page.getByRole('link', { name: 'Annual CSE self-assessment' }).first().click();
    await page.getByRole('link', { name: 'Compare with other years' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('#counts-by-year').isVisible());
  });
});
