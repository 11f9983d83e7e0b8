import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * The problem profile in Chromium (issue 13 §1): the analyst chooses a period and a locality on the GET
 * form, reads the figures, the trend charts with their tables and the areas compared, marked "Not for
 * publication"; the page and the population estimates' page pass axe and reflow at 320 pixels, in
 * Welsh too.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('the problem profile in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('an analyst chooses a period and an area and reads the figures', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('analyst.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Problem profile' }).first().click();
    await page.getByRole('heading', { name: 'Problem profile', level: 1 }).waitFor();
    assert.match((await page.locator('.govuk-warning-text').textContent()) ?? '', /Not for publication/);
    await assertAccessible(page, bc);

    await page.getByLabel('Period', { exact: true }).selectOption({ index: 1 });
    const [locality] = await bc.ctx.ownerQuery<{ name: string; id: string }>(
      `SELECT l.name, l.id FROM localities l JOIN partnerships p ON p.id = l.partnership_id WHERE p.code = 'northmere' ORDER BY l.name LIMIT 1`,
    );
    await page.getByLabel('Area', { exact: true }).selectOption({ label: locality!.name });
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.waitForURL(new RegExp(`/profile\\?period=[^&]+&area=${locality!.id}`));
    assert.equal(await page.locator('.govuk-caption-l').textContent(), locality!.name);
    assert.ok((await page.locator('table[data-measure="children_at_risk"]').count()) > 0);
    assert.ok((await page.locator('table[data-trend="children_at_risk"]').count()) === 1);
    assert.equal(await page.locator('table[data-measure="disruptions"]').count(), 0, 'the partnership-only figures are not shown for a locality');
    await assertAccessible(page, bc);

    // In Welsh (Northmere offers it).
    await page.goto(`${bc.baseUrl}/profile?lang=cy`);
    await page.getByRole('heading', { name: 'Proffil problem', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.goto(`${bc.baseUrl}/profile?lang=en`);
  });

  test('a partnership administrator reads the population estimates and imports a mistake', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/admin/populations`);
    await page.getByRole('heading', { name: 'Population estimates', level: 1 }).waitFor();
    await assertAccessible(page, bc);
    await page.getByLabel('Or paste the estimates as CSV').fill('area,year,children\nNowhere,2026,5\n');
    await page.getByRole('button', { name: 'Import estimates' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await assertAccessible(page, bc);
    // Then the right estimates, chosen as a file.
    await page.getByLabel('Or paste the estimates as CSV').fill('');
    await page
      .getByLabel('Choose a CSV file')
      .setInputFiles({ name: 'estimates.csv', mimeType: 'text/csv', buffer: Buffer.from('area,year,children\npartnership,2019,48000\n') });
    await page.getByRole('button', { name: 'Import estimates' }).click();
    await page.getByText('Population estimates saved: 1 row').waitFor();
    await assertAccessible(page, bc);
  });
});
