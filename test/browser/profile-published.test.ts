import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * A councillor reads the problem profile as published in a real browser (issue 13 §2, §3), with axe
 * (WCAG 2.2 AA and best practices) and the 320-pixel reflow check: the page from the navigation, the
 * note on the symbols, no "Not for publication", another period chosen, and every figure downloaded as
 * CSV, whose values are all publishable (0 or above the threshold, c, or z).
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('the published problem profile in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a councillor views the profile and downloads its figures as CSV', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('councillor.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Problem profile', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Problem profile', level: 1 }).waitFor();
    assert.match((await page.locator('#disclosure-note').textContent()) ?? '', /c means the figure is withheld: it is from 1 to 5/);
    assert.equal(await page.getByText('Not for publication').count(), 0);
    await assertAccessible(page, bc);

    // Another period: the rolling twelve months.
    const rolling = await page.locator('#period option', { hasText: '12 months' }).first().getAttribute('value');
    assert.ok(rolling);
    await page.getByLabel('Period', { exact: true }).selectOption(rolling);
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.waitForURL(new RegExp(`period=${rolling}`));
    await assertAccessible(page, bc);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download every figure as CSV' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), new RegExp(`^problem-profile-${rolling}-partnership\\.csv$`));
    const rows: string[][] = parse(fs.readFileSync(await file.path(), 'utf8'));
    assert.deepEqual(rows[0], ['measure', 'breakdown', 'category', 'period', 'area', 'value']);
    assert.ok(rows.length > 100);
    for (const row of rows.slice(1)) {
      const value = row[5]!;
      assert.ok(value === 'c' || value === 'z' || (/^\d+$/.test(value) && (Number(value) === 0 || Number(value) > 5)), row.join(','));
    }
    await page.close();
  });
});
