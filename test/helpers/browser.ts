import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = 'test-output/screenshots';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeResult {
  violations: { id: string; help: string; nodes: { target: unknown[] }[] }[];
  passes: unknown[];
}

/** Debian's Chromium (never a downloaded browser), without background traffic. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs axe-core's WCAG 2.1 A/AA rules on the page. */
export async function axe(page: Page): Promise<AxeResult> {
  await page.addScriptTag({ content: axeSource }).catch(async () => page.evaluate(axeSource));
  return page.evaluate(async () => {
    const runner = (globalThis as unknown as { axe: { run(o: object): Promise<AxeResult> } }).axe;
    return runner.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
}
