import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.ts';
import { assertAccessible, browserAvailable, freePort, signInWithBrowser, startBrowserContext, type BrowserContext } from '../helpers/browser.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';

// Single sign-on (issue 16 §1) in Chromium: Lantern's sign-in page, the provider's own sign-in and
// consent pages (a real oidc-provider on loopback), and back. Then the pages that list sessions: the
// person's account page and their administrator's page, where one session is ended.
let bc: BrowserContext;
let idp: TestProvider;
let base: string;

before(async () => {
  if (!browserAvailable) return;
  // The provider must know Lantern's callback before either starts: Lantern listens on a port chosen first.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startTestProvider({ redirectUri: `${base}/sign-in/oidc/callback`, interactive: true });
  bc = await startBrowserContext({
    port,
    configOverrides: {
      LANTERN_PUBLIC_URL: base,
      LANTERN_OIDC_ISSUER: idp.issuer,
      LANTERN_OIDC_CLIENT_ID: idp.clientId,
      LANTERN_OIDC_CLIENT_SECRET: idp.clientSecret,
    },
  });
});
after(async () => {
  await bc?.close();
  await idp?.close();
});

/** From Lantern's sign-in page through the provider's sign-in and consent pages, as `username`. */
async function throughProvider(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await assertAccessible(page, bc);
  await page.getByRole('button', { name: 'Sign in with your organisation account' }).click();
  await page.waitForURL(`${idp.issuer}/interaction/**`);
  assert.equal(await page.locator('h1').innerText(), 'Sign in to the test provider');
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow Lantern to use your account' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${base}/**`);
}

test('single sign-on through the provider’s pages; sessions listed and ended', { skip: !browserAvailable }, async () => {
  // 1. The provider names no second factor: Lantern asks for its own code, then signs the person in.
  const worker = bc.ctx.account('social-worker.northmere@lantern.example');
  idp.accounts.set('sub-social-worker', { email: worker.email, emailVerified: true });
  idp.nextLogin = { accountId: 'unused', amr: ['pwd'] };
  const workerPage = await bc.newPage();
  await throughProvider(workerPage, 'sub-social-worker');
  await workerPage.waitForURL(`${base}/sign-in/code`);
  await assertAccessible(workerPage, bc);
  bc.ctx.clock.advance(31_000);
  await workerPage.locator('#code').fill(await totpCode(worker.totpSecret, bc.ctx.clock.now()));
  await workerPage.locator('main button.govuk-button[type="submit"]').click();
  await workerPage.waitForURL(`${base}/`);
  assert.match(await workerPage.locator('body').innerText(), /Northmere Safeguarding Children Partnership/);
  // The account page: this session, how it was opened, and the sign-in in the history.
  await workerPage.goto(`${base}/account`);
  assert.match(await workerPage.locator('[data-sessions]').innerText(), /Organisation account, then authenticator app/);
  assert.match(await workerPage.locator('[data-sign-in-history] tr[data-outcome="success"]').first().innerText(), /Organisation account/);
  await assertAccessible(workerPage, bc);

  // 2. The provider says it checked a second factor: straight to the home page.
  const strategy = bc.ctx.account('strategy.northmere@lantern.example');
  idp.accounts.set('sub-strategy', { email: strategy.email, emailVerified: true });
  idp.nextLogin = { accountId: 'unused', amr: ['pwd', 'mfa'] };
  const strategyPage = await bc.newPage();
  await throughProvider(strategyPage, 'sub-strategy');
  await strategyPage.waitForURL(`${base}/`);
  await assertAccessible(strategyPage, bc);
  await strategyPage.close();

  // 3. An email that is no Lantern account's: refused, with a page that says why.
  idp.accounts.set('sub-stranger', { email: 'stranger@elsewhere.example', emailVerified: true });
  const strangerPage = await bc.newPage();
  await throughProvider(strangerPage, 'sub-stranger');
  await strangerPage.getByRole('heading', { name: 'You could not be signed in with your organisation account' }).waitFor();
  assert.equal(await strangerPage.locator('[data-reason]').getAttribute('data-reason'), 'unknown_account');
  await assertAccessible(strangerPage, bc);
  await strangerPage.goto(`${base}/`);
  await strangerPage.waitForURL(`${base}/sign-in`);
  await strangerPage.close();

  // 4. The worker's administrator sees the session and ends it: the worker's browser is signed out.
  const [row] = await bc.ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [worker.email]);
  const adminPage = await bc.newPage();
  await signInWithBrowser(adminPage, bc, bc.ctx.account('admin.northmere@lantern.example'));
  await adminPage.goto(`${base}/admin/users/${row!.id}`);
  assert.match(await adminPage.locator('[data-person-sessions]').innerText(), /Organisation account, then authenticator app/);
  await assertAccessible(adminPage, bc);
  await adminPage
    .getByRole('button', { name: /^End this session/ })
    .first()
    .click();
  await adminPage.waitForURL(`${base}/admin/users/${row!.id}#sessions`);
  assert.match(await adminPage.locator('.govuk-notification-banner').innerText(), /That device is signed out/);
  await assertAccessible(adminPage, bc);
  await workerPage.goto(`${base}/`);
  await workerPage.waitForURL(`${base}/sign-in`);
});
