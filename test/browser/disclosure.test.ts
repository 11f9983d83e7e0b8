import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/** The partnership's disclosure control settings (issue 13 §2) in a real browser, axe-clean at every step. */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('disclosure control settings in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('an administrator is refused a threshold out of range, then sets 7 and *', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
    await page.context().addCookies([{ name: 'lantern_lang', value: 'en', url: bc.baseUrl }]);
    await page.goto(`${bc.baseUrl}/admin/disclosure`);
    await page.getByRole('heading', { name: 'Disclosure control', level: 1 }).waitFor();
    await assertAccessible(page, bc);

    await page.getByLabel('Threshold').fill('25');
    await page.getByRole('button', { name: 'Save disclosure control' }).click();
    assert.ok(await page.getByRole('link', { name: 'Enter a whole number from 1 to 20' }).isVisible(), 'the error summary links to the field');
    await assertAccessible(page, bc);

    await page.getByLabel('Threshold').fill('7');
    await page.getByLabel('Symbol').fill('*');
    await page.getByRole('button', { name: 'Save disclosure control' }).click();
    await page.getByText('Disclosure control saved').waitFor();
    assert.equal(await page.getByLabel('Threshold').inputValue(), '7');
    assert.equal(await page.getByLabel('Symbol').inputValue(), '*');
    await assertAccessible(page, bc);
  });
});
