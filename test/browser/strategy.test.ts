import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';

let bc: BrowserContext;
before(async () => {
  if (browserAvailable) bc = await startBrowserContext();
});
after(async () => bc?.close());

describe('strategy journeys in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('an action lead records the quarter’s status, then the strategy lead generates the quarterly report', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('social-worker.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Strategy' }).first().click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: /Child Sexual Exploitation Strategy/ }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: '3.1a', exact: true }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Record progress' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Save progress' }).click();
    await assertAccessible(page, bc);
    assert.ok(await page.getByRole('link', { name: 'Choose a status' }).isVisible(), 'error summary links to the field');
    await page.getByLabel('Red', { exact: true }).check();
    await page.getByLabel('Narrative update').fill('The multi-agency meeting did not meet in October; escalated to the Board chair.');
    await page.getByRole('button', { name: 'Save progress' }).click();
    await page.getByRole('cell', { name: /escalated to the Board chair/ }).waitFor();
    await assertAccessible(page, bc);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signInWithBrowser(page, bc, bc.ctx.account('strategy.northmere@lantern.example'));
    await page.getByRole('link', { name: 'Strategy' }).first().click();
    await page.getByRole('link', { name: /Child Sexual Exploitation Strategy/ }).click();
    await page.getByRole('link', { name: 'Quarterly progress report' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /escalated to the Board chair/);
    assert.match((await page.textContent('main')) ?? '', /Training sessions held in/, 'the report has its training section');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Quarterly progress report (Word)' }).click();
    const file = await (await download).path();
    const xml = await (await JSZip.loadAsync(fs.readFileSync(file))).file('word/document.xml')!.async('string');
    assert.match(xml, /escalated to the Board chair/);
    await page.getByRole('link', { name: /Child Sexual Exploitation Strategy/ }).click();
    await page.getByRole('link', { name: 'Performance measures' }).click();
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /Computed each quarter from Lantern’s records/, 'computed measures are marked');
    await page.getByLabel('Value for Staff trained in child sexual exploitation awareness').fill('230');
    await page.getByRole('button', { name: 'Save value' }).first().click();
    await page.getByRole('cell', { name: '230' }).waitFor();
    await assertAccessible(page, bc);
    await page.close();
  });

  test('a strategy lead imports a plan from XLSX and sees SMART findings', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('strategy.westbrook@lantern.example'));
    await page.getByRole('link', { name: 'Strategy' }).first().click();
    await page.getByRole('link', { name: /Prevent, Protect, Pursue 2026/ }).click();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: 'Import an action plan' }).click();
    await assertAccessible(page, bc);

    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Plan');
    sheet.addRow(['Action id', 'Action', 'Lead (post)', 'Lead agency', 'Due date', 'Success measure', 'Target', 'Evidence source', 'RAG status']);
    sheet.addRow([
      '1.3b',
      'Routinely tell foster carers about CSE.',
      '',
      "Westbrook Council Children's Services",
      '',
      'A number of carers told',
      '',
      '',
      'Amber',
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-import-'));
    const xlsx = path.join(dir, 'plan.xlsx');
    await book.xlsx.writeFile(xlsx);
    await page.getByLabel('Action plan file').setInputFiles(xlsx);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await assertAccessible(page, bc);
    await page.getByRole('cell', { name: 'Ready to import' }).waitFor();
    await page.getByRole('button', { name: 'Import these actions' }).click();
    // Post/redirect/get: the import leads to the plan, which says what was imported.
    await page
      .getByRole('alert')
      .getByText(/actions added/)
      .waitFor();
    await assertAccessible(page, bc);
    await page.getByRole('link', { name: '1.3b', exact: true }).click();
    await assertAccessible(page, bc);
    const findings = (await page.locator('#smart ~ ul').textContent()) ?? '';
    assert.match(findings, /vague-word/);
    assert.match(findings, /no-due-date/);

    await page.getByRole('button', { name: 'Change the action' }).click();
    await assertAccessible(page, bc);
    await page.getByLabel('Action', { exact: true }).fill('Tell every foster carer about child sexual exploitation at their annual review.');
    await page.getByRole('button', { name: 'Check against SMART' }).click();
    await assertAccessible(page, bc);
    assert.doesNotMatch((await page.locator('aside').textContent()) ?? '', /vague-word|acronym-unexplained/);
    await page.getByRole('link', { name: 'Back' }).click();
    await page.getByRole('link', { name: /Tackling Child Sexual Exploitation/ }).click();
    await page.getByRole('link', { name: 'SMART check of the whole plan' }).click();
    await assertAccessible(page, bc);
    fs.rmSync(dir, { recursive: true, force: true });
    await page.close();
  });
});
