/**
 * A user agent in a few words ("Chrome on Windows"), for the pages that list sessions and sign-ins.
 * Only well-known browsers and systems are named; anything else is "Other browser" or the like, so
 * nothing a client typed into its own header is shown back beyond a fixed name. Not a security
 * check: a header says what the client chooses.
 */
const browsers: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bCriOS\/|\bChrome\/|\bHeadlessChrome\//, 'Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
];
const systems: [RegExp, string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b|\biPad\b|\biPod\b/, 'iOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface UserAgentSummary {
  browser: string | null;
  system: string | null;
}

export function summariseUserAgent(userAgent: string | null | undefined): UserAgentSummary | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, 400);
  const browser = browsers.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const system = systems.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  return { browser, system };
}
