import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, shownDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

// Issue 15 §4: the edit forms for courses, sessions and campaigns, and the framework form, with axe on each.

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('editing in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a strategy lead corrects a campaign, a session and a course, and makes a framework', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));

    // A campaign: from its page, a mistake shown with the error summary, then saved.
    const [campaign] = await bc.ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM campaigns c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'northmere' ORDER BY c.starts_on LIMIT 1`,
    );
    await page.goto(`${bc.baseUrl}/campaigns/${campaign!.id}`);
    await page.getByRole('link', { name: 'Change campaign details' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Title').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByLabel('Title').fill('Hotel staff awareness (corrected)');
    await page.getByRole('button', { name: 'Save' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent())!, /Campaign changed/);

    // A session: its date in day, month and year boxes.
    await page.goto(`${bc.baseUrl}/training`);
    await page.locator('a[href^="/training/sessions/"]:not([href$="/new"])').first().click();
    await page.getByRole('link', { name: 'Change session details' }).click();
    await assertAccessible(page, bc);
    assert.match(await shownDate(page, 'Date'), /^\d{4}-\d{2}-\d{2}$/);
    await fillDate(page, 'Date', '2025-03-04');
    await page.getByRole('button', { name: 'Save' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent())!, /Training session changed/);

    // A course, from the list of courses.
    await page.goto(`${bc.baseUrl}/training`);
    await page.locator('a[href^="/training/courses/"][href$="/edit"]').first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save' }).click();
    await assertAccessible(page, bc);

    // A framework in the form: add another strand by posting back, a mistake, then saved.
    await page.goto(`${bc.baseUrl}/strategy/frameworks`);
    await page.getByRole('button', { name: 'Create a framework' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Key', { exact: true }).first().fill('browser-made');
    await page.getByLabel('Name (English)').fill('A plan made in the browser');
    await page.locator('#strands-0-number').fill('1');
    await page.locator('#strands-0-key').fill('find');
    await page.locator('#strands-0-titleEn').fill('Find');
    await page.locator('#strands-0-outcomeEn').fill('Children at risk are found');
    await page.getByRole('button', { name: 'Add another strand' }).click();
    await assertAccessible(page, bc);
    assert.equal(await page.locator('#strands-1-key').count(), 1);
    await page.locator('#outcomes-0-id').fill('2.1');
    await page.locator('#outcomes-0-strandKey').fill('find');
    await page.locator('#outcomes-0-textEn').fill('Staff know the signs');
    await page.getByRole('button', { name: 'Save the framework' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.locator('#outcomes-0-id').fill('1.1');
    // Enter in a field saves (the form's unseen first button), not "Add another strand".
    await page.locator('#outcomes-0-id').press('Enter');
    await page.waitForLoadState();
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent())!, /Framework added/);
  });
});
