import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * The children-at-risk journey in a real browser, with axe on every page: a member of the public
 * raises a concern, a triage worker decides on it and creates the child's record, then closes it
 * with an outcome. (The casework feature extends this journey with assessment, meeting and plan.)
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('children at risk in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('public concern → triage → new child → child page → closed with an outcome', async () => {
    const page = await bc.newPage();

    // A member of the public, without an account.
    await page.goto(`${bc.baseUrl}/report`);
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Send' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Say what worried you' }).isVisible(), 'error summary links to the field');
    await page.getByLabel('Which area is this about?').selectOption({ label: 'Northmere Safeguarding Children Partnership' });
    await page.getByLabel('What worried you?').fill('A girl of about 14 was given vodka by two men and driven away in a silver car.');
    await page.getByLabel('Where did it happen?').fill('Outside the bus station');
    await page.getByLabel('Who is it about, if you know?').fill('Jodie, about 14, from the high school');
    await page.getByLabel('I want to stay anonymous').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Concern sent' }).waitFor();
    await assertAccessible(page, bc);
    const reference = (await page.locator('#concern-reference').textContent())!.trim();
    assert.match(reference, /^CN-/);

    // The triage worker finds it in the queue.
    await signInWithBrowser(page, bc, bc.ctx.account('triage.northmere@lantern.example'));
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Triage' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: reference }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Name or alias').fill('Jodie Marsh');
    await page.getByRole('button', { name: 'Search' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('CSE concern', { exact: true }).check();
    await page.getByLabel('High risk').check();
    await page.getByLabel('Agency that acts').selectOption({ label: "Northmere Council Children's Services" });
    await page.getByLabel('Reasons and notes').fill('Strategy discussion with police today.');
    await page.getByLabel('Create a new child record').check();
    await page.getByLabel('Given name').fill('Jodie');
    await page.getByLabel('Family name').fill('Marsh');
    await page.getByRole('button', { name: 'Save the decision' }).click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    await assertAccessible(page, bc);
    await page.getByRole('heading', { name: 'Jodie Marsh' }).waitFor();
    assert.ok(await page.getByRole('navigation', { name: 'Child record' }).getByRole('link', { name: 'Overview' }).isVisible());

    // Back to the queue: the decision is shown as in time.
    await page.getByRole('link', { name: 'Triage' }).first().click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: reference }).isVisible());
    await page.goBack();

    // An agency and its worker, chosen on their own page.
    await page.getByRole('link', { name: 'Add an agency or worker' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Agency').selectOption({ label: "Northmere Council Children's Services" });
    await page.getByRole('button', { name: 'Show this agency’s workers' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Allocated worker').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Add to the record' }).click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);

    // Details, then closing with an outcome.
    await page.getByRole('link', { name: 'Change details' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Education', { exact: true }).selectOption({ label: 'Alternative provision' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    await page.getByText('Close the record', { exact: true }).first().click();
    await page.getByRole('button', { name: 'Close the record' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());
    await page.getByLabel('Risk reduced').check();
    await page.getByLabel('Reason for closing').fill('Engaging with the exploitation team; no indicators for three months.');
    await page.getByRole('button', { name: 'Close the record' }).click();
    await page.getByRole('button', { name: 'Reopen the record' }).waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('body')) ?? '', /Risk reduced/);

    // The children list and a name search (by POST).
    await page.getByRole('link', { name: 'Children', exact: true }).first().click();
    await assertAccessible(page, bc);
    await page.getByLabel('Name or alias').fill('Jodie Marsh');
    await page.getByLabel('Include closed records').check();
    await page.getByRole('button', { name: 'Search' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Marsh, Jodie' }).isVisible());
    assert.doesNotMatch(page.url(), /Jodie|Marsh/i, 'no name in the address');
    await page.close();
  });

  test('a data protection officer reads break-glass alerts; a co-ordinator issues an API token and an administrator approves it', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('dpo.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Break-glass alerts' }).first().click();
    await assertAccessible(page, bc);
    await page
      .getByRole('button', { name: /Acknowledge/ })
      .first()
      .click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // A co-ordinator issues a token with their own role, from their account page; an administrator approves it.
    await signInWithBrowser(page, bc, bc.ctx.account('coordinator.northmere@lantern.example'));
    await page.locator('.lantern-header__who').click();
    await page.getByRole('link', { name: 'API tokens for partner systems' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Name').fill('Police case system');
    await page.getByLabel(/co-ordinator/i).check();
    await page.getByLabel('Read children').check();
    await page.getByRole('button', { name: 'Create a token' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#api-token').textContent()) ?? '', /^lantern_/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await page.getByRole('link', { name: 'API tokens' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Approve the token Police case system' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('body')) ?? '', /Approved by/);
    await page.close();
  });
});
