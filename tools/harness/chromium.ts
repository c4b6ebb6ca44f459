// Debian's Chromium, as the browser tests and the screenshot command drive it through playwright-core
// (no browser is downloaded): headless, and quiet on the network, so that a test sees only the
// requests its page makes.
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
