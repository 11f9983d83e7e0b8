import assert from 'node:assert/strict';
import fs from 'node:fs';
import JSZip from 'jszip';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

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

describe('Cymraeg in Chromium: a triage worker', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a concern sent in Welsh is decided in Welsh, every page axe-clean', async () => {
    const page = await bc.newPage();
    await page.context().addCookies([{ name: 'lantern_lang', value: 'cy', url: bc.baseUrl }]);
    await page.goto(`${bc.baseUrl}/report`);
    await page.getByLabel('Am ba ardal mae hyn?').selectOption({ label: 'Northmere Safeguarding Children Partnership' });
    await page.getByLabel('Beth oedd yn eich poeni?').fill('Gwelwyd bachgen tua 13 oed yn cael ei godi gan ddyn mewn fan wen ger y parc.');
    await page.getByLabel('Ble digwyddodd hyn?').fill('Ger y parc');
    await page.getByLabel('Rwyf eisiau aros yn ddienw').check();
    await page.getByRole('button', { name: 'Anfon' }).click();
    const reference = (await page.locator('#concern-reference').textContent())!.trim();

    await signInWithBrowser(page, bc, bc.ctx.account('triage.northmere@lantern.example'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'cy');
    await page.getByRole('link', { name: 'Brysbennu' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: reference }).click();
    await assertAccessible(page, bc);
    // Saved with nothing chosen: the Welsh error summary.
    await page.getByRole('button', { name: 'Cadw’r penderfyniad' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.locator('.govuk-error-summary').getByText('Mae problem wedi codi').isVisible());
    await page.getByLabel('Pryder CSE', { exact: true }).check();
    await page.getByLabel('Risg uchel').check();
    await page.getByLabel('Yr asiantaeth sy’n gweithredu').selectOption({ label: "Northmere Council Children's Services" });
    await page.getByLabel('Rhesymau a nodiadau').fill('Trafodaeth strategaeth gyda’r heddlu heddiw.');
    await page.getByLabel('Creu cofnod plentyn newydd').check();
    await page.getByLabel('Enw cyntaf').fill('Rhys');
    await page.getByLabel('Cyfenw').fill('Pritchard');
    await page.getByRole('button', { name: 'Cadw’r penderfyniad' }).click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    await assertAccessible(page, bc);
    await page.getByRole('heading', { name: 'Rhys Pritchard' }).waitFor();
    assert.ok(await page.getByRole('navigation', { name: 'Cofnod plentyn' }).getByRole('link', { name: 'Trosolwg' }).isVisible());
    assert.ok(await page.getByText('Risg uchel').first().isVisible(), 'the current risk level in Welsh');
  });
});

describe('Cymraeg in Chromium: a strategy lead', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('downloads the Welsh Government return in Welsh from a Welsh page, and in English from the link beside it', async () => {
    const page = await bc.newPage();
    await page.context().addCookies([{ name: 'lantern_lang', value: 'cy', url: bc.baseUrl }]);
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Strategaeth' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: /Child Sexual Exploitation Strategy/ }).click();
    await assertAccessible(page, bc);
    const bodyOf = async (name: string | RegExp) => {
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name }).click();
      const file = await (await download).path();
      const xml = await (await JSZip.loadAsync(fs.readFileSync(file))).file('word/document.xml')!.async('string');
      return xml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    };
    const welsh = await bodyOf('Templed adrodd Llywodraeth Cymru (Word)');
    assert.match(welsh, /Templed Adrodd/);
    assert.match(welsh, /Canlyniad trosfwaol:/);
    assert.doesNotMatch(welsh, /Reporting Template/);
    const english = await bodyOf('Download in English (DOCX)');
    assert.match(english, /Reporting Template/);
    assert.match(english, /Overarching outcome/);
  });
});

describe(
  'Cymraeg in Chromium: a partnership administrator',
  { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' },
  () => {
    test('sets the partnership’s languages in Welsh, with the error shown when Welsh would be the default but not offered', async () => {
      const page = await bc.newPage();
      await page.context().addCookies([{ name: 'lantern_lang', value: 'cy', url: bc.baseUrl }]);
      await signInWithBrowser(page, bc, bc.ctx.account('admin.northmere@lantern.example'));
      await page.getByRole('link', { name: 'Ieithoedd' }).first().click();
      await page.getByRole('heading', { name: 'Ieithoedd', level: 1 }).waitFor();
      await assertAccessible(page, bc);
      await page.getByLabel('Nac ydy, Saesneg yn unig').check();
      await page.getByLabel('Cymraeg', { exact: true }).check();
      await page.getByRole('button', { name: 'Cadw’r ieithoedd' }).click();
      await assertAccessible(page, bc);
      assert.ok(await page.locator('.govuk-error-summary').getByText('Dim ond os cynigir y Gymraeg').isVisible());
      await page.getByLabel('Ydy, cynnig Cymraeg a Saesneg').check();
      await page.getByLabel('English', { exact: true }).check();
      await page.getByRole('button', { name: 'Cadw’r ieithoedd' }).click();
      await page.getByText('Ieithoedd wedi’u cadw').waitFor();
      await assertAccessible(page, bc);
      await page.goto(`${bc.baseUrl}/account`);
      await assertAccessible(page, bc);
      assert.ok(await page.getByRole('link', { name: /Newid yr iaith: English/ }).isVisible(), 'the account page offers English');
    });
  },
);
