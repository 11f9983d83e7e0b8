import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

// Issue 13 §2: a partnership's disclosure control settings (migration 0400, /admin/disclosure).

let ctx: TestContext;
let northmere: string;
before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
});
after(async () => ctx.close());

const settingsOf = async (id: string) =>
  (
    await ctx.ownerQuery<{ disclosure_threshold: number; disclosure_symbol: string }>(
      `SELECT disclosure_threshold, disclosure_symbol FROM partnerships WHERE id = $1`,
      [id],
    )
  )[0];

describe('disclosure control settings', () => {
  test('a partnership starts with the DfE convention; its administrator changes it, audited, and the service reads it', async () => {
    assert.deepEqual(await settingsOf(northmere), { disclosure_threshold: 5, disclosure_symbol: 'c' });
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    admin.setCookie('lantern_lang', 'en');
    const form = await admin.get('/admin/disclosure');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<h1 class="govuk-heading-l">Disclosure control<\/h1>/);
    assert.match(form.body, /name="threshold" type="text" [^>]*value="5"/);

    const saved = await admin.post('/admin/disclosure', { threshold: '7', symbol: ' * ' });
    assert.equal(saved.statusCode, 302);
    assert.equal(saved.headers.location, '/admin/disclosure');
    assert.match((await admin.get('/admin/disclosure')).body, /Disclosure control saved/);
    assert.deepEqual(await settingsOf(northmere), { disclosure_threshold: 7, disclosure_symbol: '*' });
    const audited = await ctx.ownerQuery<{ details: { disclosure: unknown } }>(
      `SELECT details FROM audit_events WHERE record_type = 'partnership' AND record_id = $1 AND action = 'record.update' AND details ? 'disclosure'`,
      [northmere],
    );
    assert.equal(audited.length, 1);
    assert.deepEqual(audited[0]!.details.disclosure, { disclosure_threshold: 7, disclosure_symbol: '*' });

    // Every page that publishes figures reads them through the service, as any member of the partnership.
    assert.deepEqual(await ctx.services.disclosure.settings(await ctx.sessionUser('analyst.northmere@lantern.example')), { threshold: 7, symbol: '*' });
    assert.deepEqual(await ctx.services.disclosure.settings(await ctx.sessionUser('analyst.westbrook@lantern.example')), { threshold: 5, symbol: 'c' });
    await admin.post('/admin/disclosure', { threshold: '5', symbol: 'c' });
  });

  test('a threshold out of range or a symbol that reads as a count is refused and nothing changes', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    admin.setCookie('lantern_lang', 'en');
    await admin.get('/admin/disclosure');
    for (const [body, message] of [
      [{ threshold: '0', symbol: 'c' }, /Enter a whole number from 1 to 20/],
      [{ threshold: '21', symbol: 'c' }, /Enter a whole number from 1 to 20/],
      [{ threshold: 'five', symbol: 'c' }, /Enter a whole number from 1 to 20/],
      [{ threshold: '5', symbol: '' }, /Enter a symbol/],
      [{ threshold: '5', symbol: '5' }, /not numbers, spaces or z/],
      [{ threshold: '5', symbol: 'z' }, /not numbers, spaces or z/],
      [{ threshold: '5', symbol: 'abcd' }, /not numbers, spaces or z/],
    ] as const) {
      const refused = await admin.post('/admin/disclosure', body);
      assert.equal(refused.statusCode, 400, JSON.stringify(body));
      assert.match(refused.body, message);
      assert.match(refused.body, /govuk-error-summary/);
    }
    assert.deepEqual(await settingsOf(northmere), { disclosure_threshold: 5, disclosure_symbol: 'c' });
  });

  test('the page is in Welsh for a Welsh reader', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    admin.setCookie('lantern_lang', 'cy');
    const page = await admin.get('/admin/disclosure');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Rheoli datgelu/);
  });

  test('only administrators may change it', async () => {
    const analyst = await signIn(ctx.app, ctx.clock, ctx.account('analyst.northmere@lantern.example'));
    assert.equal((await analyst.get('/admin/disclosure')).statusCode, 403);
  });
});
