/**
 * Headless Chromium for tests that need a real browser. A developer machine without Chromium skips
 * those tests with a message; CI (env CI set) installs Chromium, so there a missing one fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CVEBUILD_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go when CVEBUILD_SCREENSHOTS=1 (normal runs write none). */
export const SCREENSHOT_DIR = process.env.CVEBUILD_SCREENSHOT_DIR ?? '/tmp/cvebuild-shots';

/**
 * The closed network refuses Chromium's background connections (updates, sync, QUIC probes);
 * these flags keep it from trying, so the only requests are the page's own.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * A reason to skip browser tests, or false to run them. In CI they always run, so a missing
 * browser fails loudly there instead of passing silently.
 */
export function browserSkip(): string | false {
  if (browserAvailable() || process.env.CI) return false;
  return `no Chromium at ${CHROMIUM_PATH} (install chromium or set CVEBUILD_CHROMIUM); browser tests skipped`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!browserAvailable()) {
    throw new Error(`Chromium is required here (CI is set) but ${CHROMIUM_PATH} does not exist`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}

export function screenshotsWanted(): boolean {
  return process.env.CVEBUILD_SCREENSHOTS === '1';
}

/** The path for a screenshot named `name` (the folder is created). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return `${SCREENSHOT_DIR}/${name}.png`;
}
