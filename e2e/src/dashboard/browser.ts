import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`tools/ensure-test-deps.sh` installs it); playwright-core never downloads one. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface DashboardBrowser {
  browser: Browser;
  /** A fresh page (own storage) whose console errors and uncaught exceptions are recorded. */
  newPage(options?: { colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** What went wrong in any page so far: the tests fail on the first one. */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<DashboardBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
  const errors: string[] = [];
  return {
    browser,
    errors,
    newPage: async ({ colorScheme = 'light' } = {}) => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 720 }, colorScheme });
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message} ${error.stack}`));
      page.on('console', (message) => {
        // A failed request the test provokes on purpose (a 400 shown inline) is logged by the
        // browser as a resource error; that is the API answering, not the dashboard failing.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          errors.push(`console: ${message.text()}`);
        }
      });
      return page;
    },
    close: () => browser.close(),
  };
}

const SCREENSHOTS = resolve(__dirname, '../../../docs/dashboard');

/** With DASHBOARD_SCREENSHOTS=1, saves the page for docs/dashboard.md (light and dark). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.DASHBOARD_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForTimeout(300); // drawers and modals animate in
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

const CONTROLS = new Set([
  'textbox',
  'button',
  'checkbox',
  'combobox',
  'searchbox',
  'link',
  'radio',
  'switch',
  'tab',
  'spinbutton',
]);

/**
 * The controls of `page` without an accessible name, from Chromium's accessibility tree: each
 * reported by its role and its element's HTML, to find it.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string }; backendDOMNodeId?: number }[];
  };
  const found: string[] = [];
  for (const node of nodes) {
    if (node.ignored || !CONTROLS.has(node.role?.value ?? '') || node.name?.value?.trim()) continue;
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendDOMNodeId });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration: 'function () { return this.outerHTML.slice(0, 200); }',
      returnByValue: true,
    });
    found.push(`${node.role?.value}: ${result.value}`);
  }
  await cdp.detach();
  return found;
}

/** Opens the dashboard at `baseUrl` and submits the login form. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/_/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password( \*)?$/).fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
}
