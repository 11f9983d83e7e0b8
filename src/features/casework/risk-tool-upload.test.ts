import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../../test/helpers/context.ts';
import { signIn, type Agent } from '../../../test/helpers/http.ts';
import { TOOL_FILE_MAX_BYTES } from './schema.ts';

// A partnership's own risk tool definition, chosen as a .json file (multipart) or pasted.

let ctx: TestContext;
let coordinator: Agent;
let practitioner: Agent;

const definition = (id: string, version = 1) => ({
  id,
  version,
  name: `Uploaded tool ${id}`,
  description: 'A synthetic tool for tests',
  sections: [
    {
      id: 's',
      title: 'Signs',
      kind: 'generic',
      windows: [{ id: 'now', label: 'now' }],
      points: [{ windows: ['now'], points: 3 }],
      indicators: [{ id: 'i1', text: 'A sign' }],
    },
  ],
  bands: [
    { key: 'low', label: 'Low', level: 'low', min: 0 },
    { key: 'high', label: 'High', level: 'high', min: 3 },
  ],
  reviewIntervalDays: 30,
});

/** Posts the risk-tools form as a browser does: multipart, the CSRF token as a field, optionally a file and pasted text. */
async function upload(agent: Agent, parts: { file?: Buffer; fileName?: string; definition?: string; csrf?: string | null }) {
  await agent.get('/risk-tools');
  const boundary = `----lantern${crypto.randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  const csrf = parts.csrf === undefined ? agent.csrfToken : parts.csrf;
  if (csrf !== null) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`));
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="definitionFile"; filename="${parts.file ? (parts.fileName ?? 'tool.json') : ''}"\r\nContent-Type: application/json\r\n\r\n`,
    ),
    parts.file ?? Buffer.alloc(0),
    Buffer.from('\r\n'),
  );
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="definition"\r\n\r\n${parts.definition ?? ''}\r\n--${boundary}--\r\n`));
  const cookie = (agent as unknown as { cookieHeader(): string }).cookieHeader();
  return ctx.app.inject({
    method: 'POST',
    url: '/risk-tools',
    payload: Buffer.concat(chunks),
    headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));
const summary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
const loaded = async (toolKey: string) =>
  (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM risk_tools WHERE tool_key = $1`, [toolKey]))[0]!.n;

before(async () => {
  ctx = await createTestContext();
  coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
  practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
});
after(async () => ctx.close());

describe('risk tools: a definition file', () => {
  test('the page offers a .json file input beside the paste box, in a multipart form with the CSRF token', async () => {
    const page = await coordinator.get('/risk-tools');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/risk-tools" enctype="multipart\/form-data"/);
    assert.match(page.body, /type="file"[^>]*accept=".json,application\/json"|accept=".json,application\/json"[^>]*type="file"/);
    assert.match(page.body, /<textarea[^>]*name="definition"/);
    assert.match(page.body, /name="_csrf" value="[^"]+"/);
    assert.match(page.body, /up to 256 KB/);
  });

  test('a valid file is loaded as a new tool version, once, and audited', async () => {
    const audits = async () =>
      (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'record.create' AND record_type = 'risk_tool'`))[0]!.n;
    const before = await audits();
    const r = await upload(coordinator, { file: json(definition('uploaded-tool')) });
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/risk-tools');
    assert.equal(await loaded('uploaded-tool'), 1);
    assert.equal(await audits(), before + 1);
    assert.match((await coordinator.get('/risk-tools')).body, /Uploaded tool uploaded-tool/);
    const again = await upload(coordinator, { file: json(definition('uploaded-tool')) });
    assert.equal(again.statusCode, 400);
    assert.match(summary(again.body), /version: version 1 of &quot;uploaded-tool&quot; is already loaded/);
  });

  test('a file saved with a byte-order mark is read as JSON', async () => {
    const r = await upload(coordinator, { file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(definition('bom-tool'))]) });
    assert.equal(r.statusCode, 302);
    assert.equal(await loaded('bom-tool'), 1);
  });

  test('an invalid file is refused; each problem is in the error summary with its JSON path, linked to the file input', async () => {
    const bad = {
      ...definition('Bad Tool'),
      sections: [{ ...definition('x').sections[0], indicators: [] }],
      bands: [{ key: 'low', label: 'Low', level: 'low', min: 1 }],
    };
    const r = await upload(coordinator, { file: json(bad) });
    assert.equal(r.statusCode, 400);
    const errors = summary(r.body);
    assert.match(errors, /<a href="#definitionFile">id: must be lowercase letters, digits and single hyphens/);
    assert.match(errors, /<a href="#definitionFile">sections\[0\]\.indicators: a section needs at least one indicator/);
    assert.match(r.body, /govuk-file-upload--error|govuk-form-group--error[\s\S]*id="definitionFile"/);
    assert.match(r.body, /<title>Error:/);
    assert.equal(await loaded('Bad Tool'), 0);
  });

  test('a file that is not JSON, one that is too large, none at all, or a file and pasted text together are refused', async () => {
    const notJson = await upload(coordinator, { file: Buffer.from('{ "id": "half-a-file",') });
    assert.equal(notJson.statusCode, 400);
    assert.match(summary(notJson.body), /href="#definitionFile">\(file\): not valid JSON/);

    const big = definition('big-tool');
    const padded = json({ ...big, description: 'x'.repeat(TOOL_FILE_MAX_BYTES) });
    const tooLarge = await upload(coordinator, { file: padded });
    assert.equal(tooLarge.statusCode, 400);
    assert.match(summary(tooLarge.body), /href="#definitionFile">The file must be smaller than 256 KB/);
    assert.equal(await loaded('big-tool'), 0);

    const nothing = await upload(coordinator, {});
    assert.equal(nothing.statusCode, 400);
    assert.match(summary(nothing.body), /href="#definitionFile">Choose a definition file or paste a definition/);

    const both = await upload(coordinator, { file: json(definition('both-tool')), definition: JSON.stringify(definition('both-tool')) });
    assert.equal(both.statusCode, 400);
    assert.match(summary(both.body), /Choose a file or paste a definition, not both/);
    assert.equal(await loaded('both-tool'), 0);
  });

  test('pasting still works in the multipart form; its problems link to the paste box and the text is kept', async () => {
    const pasted = await upload(coordinator, { definition: JSON.stringify(definition('pasted-tool')) });
    assert.equal(pasted.statusCode, 302);
    assert.equal(await loaded('pasted-tool'), 1);
    const text = JSON.stringify({ ...definition('pasted-bad'), reviewIntervalDays: 0 });
    const bad = await upload(coordinator, { definition: text });
    assert.equal(bad.statusCode, 400);
    assert.match(summary(bad.body), /href="#definition">reviewIntervalDays: /);
    assert.match(bad.body, /&quot;pasted-bad&quot;/, 'the pasted text is shown again');
  });

  test('an upload needs the CSRF token and the permission to manage tools', async () => {
    const noToken = await upload(coordinator, { file: json(definition('no-token-tool')), csrf: null });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /LANTERN_E_CSRF/);
    const forbidden = await upload(practitioner, { file: json(definition('forbidden-tool')) });
    assert.equal(forbidden.statusCode, 403);
    assert.equal((await loaded('no-token-tool')) + (await loaded('forbidden-tool')), 0);
  });
});
