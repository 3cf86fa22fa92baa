import { execFileSync } from 'node:child_process';
import { Browser, chromium } from 'playwright-core';

/** A host name that is not loopback, mapped to 127.0.0.1 inside the browser only. */
export const BROWSER_HOST = 'ledger.test';

/** Debian's Chromium (`.ci/run` installs it when missing); playwright-core never downloads one. */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No chromium on PATH: install Debian\'s "chromium" package (.ci/run does)');
  }
}

/**
 * Headless Chromium that reaches the service as http://ledger.test:<port>, as a user on another
 * machine would (browsers treat 127.0.0.1 and localhost as secure, which hides https upgrades),
 * with the background traffic of a fresh profile turned off: every request it makes is the page's.
 */
export function launchBrowser(): Promise<Browser> {
  // playwright gives the browser a fresh, empty profile of its own (and removes it on close).
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      `--host-resolver-rules=MAP ${BROWSER_HOST} 127.0.0.1`,
    ],
  });
}
