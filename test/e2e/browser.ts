import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Browser plumbing for the end-to-end tests: Debian's Chromium driven by playwright-core (no browser
// download is possible here), and a folder for screenshots kept as test artifacts (git-ignored).

export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-results', 'e2e');

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

/** Drops artifacts a previous run left (a failure capture from an earlier, failed attempt). */
export function removeArtifact(...names: string[]): void {
  for (const name of names) rmSync(join(ARTIFACTS_DIR, name), { force: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    // Debian's chromium by default; COMPOUND_CHROMIUM points elsewhere (no browser is ever downloaded).
    executablePath: process.env.COMPOUND_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags Chromium phones home and this machine's closed network
    // refuses the connections.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Runs `step`; if it throws, saves a full-page screenshot and the page's HTML next to the artifacts first. */
export async function withFailureCapture<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await page
      .screenshot({ path: artifactPath(`${name}-failure.png`), fullPage: true })
      .catch(() => undefined);
    const html = await page.content().catch(() => '');
    if (html) writeFileSync(artifactPath(`${name}-failure.html`), html);
    throw err;
  }
}
