import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

/**
 * The public concern form in Welsh in a real browser (issue 11), with axe on every page: the switch in
 * the header, the Welsh error summary, and the Welsh confirmation with its reference.
 */
let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('Cymraeg in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a member of the public switches to Welsh and reports a concern', async () => {
    const page = await bc.newPage();
    await page.goto(`${bc.baseUrl}/report`);
    await page.getByRole('link', { name: 'Cymraeg' }).click();
    await page.getByRole('heading', { name: 'Dywedwch wrthym eich bod yn poeni am blentyn' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'cy');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/report', 'back on the same page, without ?lang');
    await assertAccessible(page, bc);

    await page.getByRole('button', { name: 'Anfon' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Dywedwch beth oedd yn eich poeni' }).isVisible(), 'the Welsh error summary links to the field');
    await page.getByLabel('Am ba ardal mae hyn?').selectOption({ label: 'Northmere Safeguarding Children Partnership' });
    await page.getByLabel('Beth oedd yn eich poeni?').fill('Cafodd merch tua 14 oed fodca gan ddau ddyn a’i gyrru i ffwrdd mewn car arian.');
    await page.getByLabel('Ble digwyddodd hyn?').fill('Y tu allan i’r orsaf fysiau');
    await page.getByLabel('Rwyf eisiau aros yn ddienw').check();
    await page.getByRole('button', { name: 'Anfon' }).click();
    await page.getByRole('heading', { name: 'Pryder wedi’i anfon' }).waitFor();
    await assertAccessible(page, bc);
    assert.match((await page.locator('#concern-reference').textContent())!.trim(), /^CN-/);

    // And back to English on the same page.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Concern sent' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  });
});
