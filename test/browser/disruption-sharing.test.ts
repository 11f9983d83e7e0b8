import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, fillDate, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * Disruption and intelligence across boundaries in a real browser (issue 12 §3 and §6), with axe
 * (WCAG 2.2 AA and best practices) on every page visited and the 320-pixel reflow check: the police
 * analyst lists the disruptions and filters them, records a disruption (first leaving out what is
 * required, to see the GOV.UK errors), records its outcome and reads the figures by quarter; then
 * shares a Northmere place with Westbrook (again with an error first), lists the shares, and
 * Westbrook's analyst sees the place among those shared with it.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe(
  'disruptions and cross-boundary shares in Chromium',
  { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' },
  () => {
    test('the analyst records a disruption against “Dean” with its outcome, and reads the figures by quarter', async () => {
      const page = await bc.newPage();
      await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
      await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Intelligence', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Disruptions', exact: true }).click();
      await page.getByRole('heading', { name: 'Disruptions', level: 1 }).waitFor();
      await assertAccessible(page, bc);

      // Filtered by tactic: a GET form, the filter named above the table.
      await page.getByLabel('Tactic', { exact: true }).selectOption({ label: 'Child abduction warning notice' });
      await page.getByRole('button', { name: 'Show disruptions' }).click();
      await page.locator('#filter-results').waitFor();
      assert.match((await page.locator('#filter-results').textContent()) ?? '', /Tactic: Child abduction warning notice\./);
      await assertAccessible(page, bc);

      // The form: sent without what it needs, then completed.
      await page.getByRole('link', { name: 'Record a disruption' }).click();
      await page.getByRole('heading', { name: 'Record a disruption', level: 1 }).waitFor();
      await assertAccessible(page, bc);
      await page.getByRole('button', { name: 'Save disruption' }).click();
      await page.getByText('There is a problem').waitFor();
      const summary = (await page.locator('.govuk-error-summary').textContent()) ?? '';
      assert.match(summary, /Select the tactic/);
      assert.match(summary, /Enter what was done/);
      await assertAccessible(page, bc);

      await page.getByRole('radio', { name: 'Child abduction warning notice', exact: true }).check();
      await fillDate(page, 'Date of the disruption', '2026-10-20');
      await page.getByLabel('Agency that carried it out').selectOption({ label: 'Fenland Valley Police' });
      const dean = await page.locator('#personId option', { hasText: 'Dean' }).first().getAttribute('value');
      assert.ok(dean, 'Dean is among the persons of concern');
      await page.getByLabel('Person of concern').selectOption(dean);
      await page.getByLabel('Children it protects (optional)').fill('nm-1004');
      await page.getByLabel('What was done', { exact: true }).fill('Notice served at his home address about the child seen in his car.');
      await page.getByRole('button', { name: 'Save disruption' }).click();
      await page.waitForURL(/\/intelligence\/disruptions\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: /^Child abduction warning notice on /, level: 1 }).waitFor();
      await assertAccessible(page, bc);
      const disruptionUrl = page.url();
      const details = (await page.locator('.govuk-summary-list').textContent()) ?? '';
      assert.match(details, /Awaiting outcome/);
      assert.match(details, /NM-1004/);

      // Its outcome, recorded on its page.
      await page.getByRole('radio', { name: 'Achieved', exact: true }).check();
      await page.getByLabel('Notes on the outcome').fill('Served and acknowledged; no contact since.');
      await page.getByRole('button', { name: 'Save outcome' }).click();
      await page.waitForURL(disruptionUrl);
      await page.locator('.govuk-notification-banner').waitFor();
      await assertAccessible(page, bc);
      const after = (await page.locator('.govuk-summary-list').textContent()) ?? '';
      assert.match(after, /Achieved \(/);
      assert.match(after, /Served and acknowledged; no contact since\./);

      // Back in the list, and the figures by quarter.
      await page.getByRole('link', { name: 'Back to disruptions' }).click();
      await page.getByRole('heading', { name: 'Disruptions', level: 1 }).waitFor();
      assert.ok(
        await page.getByRole('region', { name: 'Disruptions' }).getByRole('link', { name: /Dean/ }).first().isVisible(),
        'the disruption is listed with its target',
      );
      await page.getByRole('link', { name: 'Disruption figures by quarter' }).click();
      await page.getByRole('heading', { name: 'Disruption figures by quarter', level: 1 }).waitFor();
      await assertAccessible(page, bc);
      assert.ok((await page.locator('#figures-by-quarter tbody tr').count()) > 0, 'quarters listed');
      assert.match((await page.locator('#figures-by-tactic').textContent()) ?? '', /Child abduction warning notice/);
      // Every disruption page was checked: the list (and filtered), the form (and its errors), one disruption, the figures.
      const checked = new Set(bc.visited);
      for (const path of ['/intelligence/disruptions', '/intelligence/disruptions/new', '/intelligence/disruptions/figures', new URL(disruptionUrl).pathname])
        assert.ok(checked.has(path), `${path} checked`);
      await page.close();
    });

    test('the analyst shares a place with Westbrook, lists the shares, and Westbrook sees it shared with it', async () => {
      const page = await bc.newPage();
      await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
      await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Intelligence', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Ferry Road Grill', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Ferry Road Grill', level: 1 }).waitFor();
      const placeUrl = page.url();
      await page.getByRole('link', { name: 'Share with a neighbouring partnership' }).click();
      await page.getByRole('heading', { name: 'Share Ferry Road Grill with a neighbouring partnership', level: 1 }).waitFor();
      await assertAccessible(page, bc);

      // Sent without an agreement or a reason, then completed.
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.getByText('There is a problem').waitFor();
      assert.match((await page.locator('.govuk-error-summary').textContent()) ?? '', /Choose a live sharing agreement/);
      await assertAccessible(page, bc);
      await page.getByRole('group', { name: 'Under which sharing agreement' }).getByRole('radio').first().check();
      await page.getByLabel('Why you are sharing it').fill('Westbrook children are brought to the takeaway by taxi in the evenings.');
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.waitForURL(placeUrl);
      await page.locator('.govuk-notification-banner').waitFor();
      await assertAccessible(page, bc);
      assert.match((await page.getByRole('region', { name: 'Shared with neighbouring partnerships' }).textContent()) ?? '', /Westbrook children are brought/);

      // The list of shares: Dean (shared by the demo) and the place, each with its withdraw button.
      await page.getByRole('link', { name: 'Intelligence', exact: true }).first().click();
      await page.getByRole('link', { name: 'Intelligence shared across boundaries' }).click();
      await page.getByRole('heading', { name: 'Intelligence shared across boundaries', level: 1 }).waitFor();
      await assertAccessible(page, bc);
      const byUs = page.getByRole('region', { name: 'Shared by us' });
      assert.ok(await byUs.getByRole('link', { name: 'Ferry Road Grill' }).isVisible());
      assert.ok(await byUs.getByRole('link', { name: /Dean/ }).isVisible());
      await page.close();

      const westbrook = await bc.newPage();
      await signInWithBrowser(westbrook, bc, bc.ctx.account('analyst.westbrook@lantern.example'));
      await westbrook.goto(`${bc.baseUrl}/intelligence/shares`);
      await westbrook.getByRole('heading', { name: 'Intelligence shared across boundaries', level: 1 }).waitFor();
      await assertAccessible(westbrook, bc);
      const withUs = westbrook.getByRole('region', { name: 'Shared with us' });
      assert.ok(await withUs.getByRole('link', { name: 'Ferry Road Grill' }).isVisible(), 'the place shared with Westbrook');
      await withUs.getByRole('link', { name: 'Ferry Road Grill' }).click();
      await westbrook.getByRole('heading', { name: 'Ferry Road Grill', level: 1 }).waitFor();
      assert.match((await westbrook.locator('#shared-with-us').textContent()) ?? '', /Shared with us by Northmere/);
      await assertAccessible(westbrook, bc);
      await westbrook.close();
      const checked = new Set(bc.visited);
      for (const path of [new URL(placeUrl).pathname + '/share', '/intelligence/shares']) assert.ok(checked.has(path), `${path} checked`);
    });
  },
);
