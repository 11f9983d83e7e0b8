import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.ts';
import type { DemoAccount } from '../../src/seed/demo.ts';
import { createTestContext, type TestContext } from './context.ts';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(chromiumPath);

export interface BrowserContext {
  ctx: TestContext;
  browser: Browser;
  baseUrl: string;
  /** Every page visited, with its axe result, for the journey's report. */
  visited: string[];
  /** Console messages about blocked content (CSP), which fail the journey. */
  cspViolations: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Lantern on a loopback port over an isolated database, and Debian's Chromium headless. */
export async function startBrowserContext(options: { configOverrides?: Record<string, string>; port?: number } = {}): Promise<BrowserContext> {
  const ctx = await createTestContext(options);
  const address = await ctx.app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const visited: string[] = [];
  const cspViolations: string[] = [];
  return {
    ctx,
    browser,
    baseUrl: address,
    visited,
    cspViolations,
    async newPage() {
      const page = await browser.newPage();
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to (execute|apply|load)/i.test(message.text())) cspViolations.push(message.text());
      });
      return page;
    },
    async close() {
      await browser.close();
      await ctx.close();
    },
  };
}

/** The narrowest width a page must work at without scrolling sideways (WCAG 1.4.10 Reflow: 320 CSS pixels). */
export const reflowWidth = 320;

/**
 * Checks every page a journey visits: axe-core with the WCAG 2.2 A and AA rules and axe's best
 * practices (landmarks, headings, regions …), then reflow — at 320 CSS pixels wide the page itself
 * does not scroll sideways (a wide table may scroll inside its own labelled region). Fails on any problem.
 */
export async function assertAccessible(page: Page, bc?: BrowserContext): Promise<void> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
  });
  bc?.visited.push(new URL(page.url()).pathname);
  const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(summary, [], `axe violations on ${page.url()}`);
  assert.deepEqual(await overflowAt(page, reflowWidth), null, `${page.url()} scrolls sideways at ${reflowWidth} CSS pixels`);
  if (bc) assert.deepEqual(bc.cspViolations, [], 'no content blocked by the CSP');
}

/**
 * The page's width at `width` CSS pixels when it is wider than the window, with the elements that
 * stick out (for the message), or null when it reflows. The window goes back to its size afterwards.
 */
export async function overflowAt(page: Page, width: number): Promise<{ scrollWidth: number; widest: string[] } | null> {
  const before = page.viewportSize();
  await page.setViewportSize({ width, height: before?.height ?? 720 });
  try {
    // Written as a string: the test runner's TypeScript transform would add helpers the page does not have.
    return await page.evaluate<{ scrollWidth: number; widest: string[] } | null>(`(() => {
      const limit = ${width};
      const scrollWidth = document.documentElement.scrollWidth;
      if (scrollWidth <= limit) return null;
      // Elements whose right edge passes the window, but not inside a region that scrolls on its own.
      const widest = Array.from(document.body.querySelectorAll('*'))
        .filter((el) => el.getBoundingClientRect().right > limit + 1 && (el.parentElement === null || el.parentElement.closest('.lantern-table-scroll') === null))
        .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + Array.from(el.classList).join('.') : '')
          + ' (' + Math.round(el.getBoundingClientRect().right) + ')')
        .slice(-6);
      return { scrollWidth, widest };
    })()`);
  } finally {
    if (before) await page.setViewportSize(before);
    await awaitFrame(page);
  }
}

/**
 * Waits until the page paints a frame after its window was resized. Playwright clicks only an element
 * that stays put over two animation frames; on a loaded machine headless Chromium has stopped painting
 * after a resize (a CI run timed out clicking "Save" for 30 s). Bringing the page to the front makes it
 * paint again.
 */
async function awaitFrame(page: Page): Promise<void> {
  const frame = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let timer: NodeJS.Timeout | undefined;
    const painted = await Promise.race([
      page.evaluate<boolean>(frame).catch(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2_000))),
    ]);
    clearTimeout(timer);
    if (painted) return;
    await page.bringToFront();
  }
}

/** Signs in through the real pages, as a person would. Moves the test clock so the code is fresh. */
export async function signInWithBrowser(page: Page, bc: BrowserContext, account: Pick<DemoAccount, 'email' | 'password' | 'totpSecret'>): Promise<void> {
  bc.ctx.clock.advance(31_000);
  await page.goto(`${bc.baseUrl}/sign-in`);
  await assertAccessible(page, bc);
  // By the fields' ids, so the same steps sign in on the English or the Welsh page.
  await page.locator('#email').fill(account.email);
  await page.locator('#password').fill(account.password);
  // The password form's button (with single sign-on configured, the organisation account's follows it).
  await page.locator('main button.govuk-button[type="submit"]').first().click();
  await page.waitForURL('**/sign-in/code');
  await assertAccessible(page, bc);
  await page.locator('#code').fill(await totpCode(account.totpSecret, bc.ctx.clock.now()));
  await page.locator('main button.govuk-button[type="submit"]').click();
  await page.waitForURL(`${bc.baseUrl}/`);
}

/**
 * Types a date ('YYYY-MM-DD') into the GOV.UK date input whose legend is `legend`, box by box, as a
 * person would ('2026-03-05' as 5, 3, 2026).
 */
export async function fillDate(scope: Page | Locator, legend: string, date: string): Promise<void> {
  const [year = '', month = '', day = ''] = date.split('-');
  const group = scope.getByRole('group', { name: legend, exact: true });
  await group.getByLabel('Day').fill(String(Number(day)));
  await group.getByLabel('Month').fill(String(Number(month)));
  await group.getByLabel('Year').fill(year);
}

/** The date a GOV.UK date input shows, read from its boxes, as 'YYYY-MM-DD'. */
export async function shownDate(scope: Page | Locator, legend: string): Promise<string> {
  const group = scope.getByRole('group', { name: legend, exact: true });
  const [day, month, year] = await Promise.all(['Day', 'Month', 'Year'].map((box) => group.getByLabel(box).inputValue()));
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
}

/** A loopback port free a moment ago, for a server whose address must be known before it starts (single sign-on's redirect URI). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
