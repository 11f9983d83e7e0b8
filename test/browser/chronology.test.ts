import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, browserAvailable, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { aChild, aConcern, demoAgency } from '../helpers/factories.ts';

let bc: BrowserContext;
let childId: string;

before(async () => {
  if (!browserAvailable) return;
  bc = await startBrowserContext();
  const cs = await demoAgency(bc.ctx, 'northmere', 'childrens_services');
  const police = await demoAgency(bc.ctx, 'northmere', 'police');
  const [worker] = await bc.ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`);
  childId = await aChild(bc.ctx, {
    partnership_id: cs.partnership_id,
    owning_agency_id: cs.id,
    reference: 'BR-CHRON-1',
    given_name: 'Sky',
    family_name: 'Chronologytest',
  });
  await aConcern(bc.ctx, {
    partnership_id: cs.partnership_id,
    child_id: childId,
    reference: 'BR-CHRON-C1',
    acting_agency_id: cs.id,
    decision: 'cse_concern',
    risk_level: 'medium',
    decided_at: '2026-10-01T15:00:00Z',
  });
  // The police's own concern: the social worker sees it withheld.
  await aConcern(bc.ctx, {
    partnership_id: cs.partnership_id,
    child_id: childId,
    reference: 'BR-CHRON-C2',
    raised_by_agency_id: police.id,
    received_at: '2026-10-03T09:00:00Z',
  });
  await bc.ctx.ownerQuery(
    `INSERT INTO case_notes (partnership_id, child_id, body, author_user_id, author_name, created_at) VALUES ($1, $2, 'Met the child after school', $3, 'Test Worker', '2026-10-04T10:00:00Z')`,
    [cs.partnership_id, childId, worker!.id],
  );
});
after(async () => bc?.close());

describe('the chronology in Chromium', { skip: browserAvailable ? false : 'Chromium is not installed (apt-get install chromium)' }, () => {
  test('a social worker opens the chronology from the child’s navigation, filters it and clears the filters', async () => {
    const page = await bc.newPage();
    await signInWithBrowser(page, bc, bc.ctx.account('social-worker.northmere@lantern.example'));
    await page.goto(`${bc.baseUrl}/children/${childId}/notes`);
    await assertAccessible(page, bc);
    await Promise.all([page.waitForURL(`**/children/${childId}/chronology`), page.getByRole('link', { name: 'Chronology', exact: true }).click()]);
    await assertAccessible(page, bc);
    assert.equal(await page.title(), 'Chronology – Sky Chronologytest (BR-CHRON-1) – Lantern');
    const table = page.getByRole('table', { name: /entr(y|ies)/ });
    const text = (await table.textContent()) ?? '';
    assert.match(text, /Concern BR-CHRON-C1 received[\s\S]*Triage decision[\s\S]*Withheld[\s\S]*Met the child after school/);
    assert.doesNotMatch(text, /BR-CHRON-C2/);

    await page.getByText('Filter the chronology').click();
    await page.getByLabel('Case note', { exact: true }).check();
    await Promise.all([page.waitForURL('**/chronology?type=case_note*'), page.getByRole('button', { name: 'Apply filters' }).click()]);
    await assertAccessible(page, bc);
    const rows = page.getByRole('table', { name: /entr(y|ies)/ }).locator('tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /Met the child after school/);
    assert.ok(await page.getByLabel('Case note', { exact: true }).isChecked(), 'the filter stays chosen');
    assert.match((await page.getByRole('link', { name: /as a PDF/ }).getAttribute('href')) ?? '', /\/chronology\/pdf\?type=case_note$/);

    await page.getByLabel('Agency').selectOption({ label: 'Fenland Valley Police' });
    await page.getByLabel('Case note', { exact: true }).uncheck();
    await Promise.all([page.waitForURL('**/chronology?agency=*'), page.getByRole('button', { name: 'Apply filters' }).click()]);
    await assertAccessible(page, bc);
    assert.match((await page.textContent('main')) ?? '', /Nothing has been recorded that matches/);

    await Promise.all([page.waitForURL(`**/children/${childId}/chronology`), page.getByRole('link', { name: 'Clear filters' }).click()]);
    await assertAccessible(page, bc);
    assert.equal(
      await page
        .getByRole('table', { name: /entr(y|ies)/ })
        .locator('tbody tr')
        .count(),
      4,
    );
    // At 320 CSS pixels the chronology reflows without scrolling sideways (WCAG 1.4.10): its table is laid out fixed and wraps.
    await page.setViewportSize({ width: 320, height: 640 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scrolling at 320 px');
    await page.close();
  });
});
