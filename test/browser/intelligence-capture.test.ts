import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * Capture and graded reports in a real browser (issue 12 §1 and §2), with axe on every page and the
 * 320-pixel reflow check: the police analyst records a vehicle mentioned in a return interview (the
 * vehicle and its link to the child in one step, back at the interview with a banner, the link on the
 * child's record); the analyst submits a C report, reads it, releases it with a reason, and the same
 * pages pass in Welsh.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('intelligence capture in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a police analyst records intelligence from a return interview and links a vehicle', async () => {
    const [found] = await bc.ctx.ownerQuery<{ child_id: string; reference: string }>(
      `SELECT i.child_id, c.reference FROM return_interviews i JOIN children c ON c.id = i.child_id JOIN partnerships p ON p.id = c.partnership_id
        WHERE p.code = 'northmere' AND NOT c.restricted ORDER BY c.reference LIMIT 1`,
    );
    assert.ok(found, 'a demo child with a return interview');
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
    await assertAccessible(page, bc);
    await page.goto(`${bc.baseUrl}/children/${found.child_id}/missing`);
    await page.getByRole('heading', { name: 'Missing episodes', level: 1 }).waitFor();
    await assertAccessible(page, bc);

    // The interview's "add a person, place or vehicle mentioned here": the vehicle.
    await page
      .getByRole('link', { name: /^Add a vehicle, phone or account mentioned in Return interview/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Add a vehicle, phone or online account', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#capture-source').textContent()) ?? '', new RegExp(`linked to .*\\(${found.reference}\\)`));
    assert.match((await page.locator('#capture-source').textContent()) ?? '', /Source: Return interview \d{1,2} \w+ \d{4}/);

    // Saved without saying how the child is linked: the error summary, nothing lost.
    await page.getByRole('radio', { name: 'Vehicle', exact: true }).check();
    await page.getByLabel('Registration', { exact: true }).fill('rt70 vxn');
    await page.getByLabel('Colour').fill('Red');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await assertAccessible(page, bc);
    assert.equal(await page.getByLabel('Registration', { exact: true }).inputValue(), 'rt70 vxn');

    await page.getByRole('group', { name: 'How is the child linked to it?' }).getByRole('radio', { name: 'Seen with', exact: true }).check();
    await page.getByRole('group', { name: 'How sure are you of the link?' }).getByRole('radio', { name: 'Medium', exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${bc.baseUrl}/children/${found.child_id}/missing`);
    await assertAccessible(page, bc);
    assert.match((await page.locator('.govuk-notification-banner').textContent()) ?? '', /Vehicle, phone or account added and linked to the child/);

    // The child's record lists the link to the vehicle, with its source.
    await page.goto(`${bc.baseUrl}/children/${found.child_id}`);
    await assertAccessible(page, bc);
    const links = page.getByRole('region', { name: 'Links' });
    assert.ok(await links.getByRole('link', { name: 'RT70VXN' }).isVisible(), 'the vehicle in the child’s intelligence links');
    assert.match((await links.textContent()) ?? '', /Return interview \d{1,2} \w+ \d{4}/);

    // And from the vehicle's page, the child.
    await links.getByRole('link', { name: 'RT70VXN' }).click();
    await page.getByRole('heading', { name: 'RT70VXN', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    assert.ok(
      await page
        .getByRole('region', { name: 'Links' })
        .getByRole('link', { name: new RegExp(`\\(${found.reference}\\)`) })
        .isVisible(),
    );
    await page.close();
  });

  test('graded report pages: the analyst submits a C report, reads it and releases it; the form and the report pass in Welsh too', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/intelligence/reports`);
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Submit an intelligence report' }).first().click();
    await page.getByRole('heading', { name: 'Submit an intelligence report', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.getByRole('group', { name: 'Source evaluation' }).getByRole('radio', { name: /^2: / }).check();
    await page.getByRole('group', { name: 'Intelligence assessment' }).getByRole('radio', { name: /^B: / }).check();
    await page.getByRole('group', { name: 'Handling code' }).getByRole('radio', { name: /^C: / }).check();
    await page.getByLabel('Handling conditions').fill('Police and the exploitation co-ordinator only');
    await fillDate(page, 'Date obtained', '2026-11-02');
    await page.getByLabel('Officer').fill('DC 5150 Browser Test');
    await page.getByLabel('Sanitised text').fill('A red car is seen collecting children from the park after school.');
    await page.getByLabel('Original text').fill('The informant, a park warden, names the driver.');
    await page.getByRole('button', { name: 'Submit report' }).click();
    await page.getByRole('heading', { name: 'Intelligence report 2/B/C', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    const reportUrl = page.url();

    // Released with a reason; the page says who released it and why.
    await page.getByLabel('Reason for release').fill('The co-ordinator needs it for the park safety plan.');
    await page.getByRole('button', { name: 'Release the report' }).click();
    await page.getByText('Report released to the partnership').waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#main-content').textContent()) ?? '', /park safety plan/);

    // In Welsh: the report, the list and the form.
    await page.getByRole('link', { name: 'Cymraeg' }).click();
    await page.waitForURL(/lang=cy|\/intelligence\/reports\//);
    await page.goto(reportUrl);
    assert.equal(await page.locator('html').getAttribute('lang'), 'cy');
    await page.getByRole('heading', { name: 'Rhyddhau i’r bartneriaeth' }).waitFor();
    await assertAccessible(page, bc);
    await page.goto(`${bc.baseUrl}/intelligence/reports/new`);
    await assertAccessible(page, bc);
    await page
      .getByRole('button')
      .filter({ hasText: /Cyflwyno/ })
      .first()
      .click();
    await page.locator('.govuk-error-summary').waitFor();
    await assertAccessible(page, bc);
    await page.goto(`${bc.baseUrl}/intelligence/events`);
    await assertAccessible(page, bc);
    await page.close();
  });
});
