/**
 * GraphiQL as a frontend developer meets it, in Debian's headless Chromium (playwright-core, no
 * downloaded browser): the explorer opens with the example operations, runs a create, then follows
 * the task over a WebSocket subscription until the result pane shows SUCCEEDED. Leaves a screenshot
 * in test-output/. Every wait is on the page's state, with a deadline.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = 'test-output';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`graphiql.e2e: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/** Generous: the first paint of GraphiQL (Monaco, the schema's introspection) takes a while on two cores. */
const UI_TIMEOUT_MS = 20_000;

/** The visible one of the two editors under the operation (variables, headers). */
const VARIABLES_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';

interface ListedTasks {
  tasks: { edges: { node: { id: string; providerTaskId: string | null } }[] };
}

describe.skipIf(!hasChromium)('GraphiQL in a real browser', () => {
  let gateway: TestApp;
  let profileDir: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    gateway = await startTestApp();
    profileDir = mkdtempSync(join(tmpdir(), 'kling-graphql-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 1000 },
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
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await gateway?.stop();
  });

  /** Monaco draws spaces as no-break spaces. */
  const textOf = async (selector: string) =>
    ((await page.locator(selector).textContent()) ?? '').replace(/\u00a0/g, ' ');
  /** The result pane's JSON without whitespace: the viewer wraps long values over several lines. */
  const resultText = async () => (await textOf('.graphiql-response .view-lines')).replace(/\s+/g, '');

  async function waitForResult(what: string, predicate: (text: string) => boolean): Promise<void> {
    await expect
      .poll(resultText, { timeout: UI_TIMEOUT_MS, message: `result pane to show ${what}` })
      .toSatisfy(predicate);
  }

  /** With several operations in the editor, ▶ opens a menu of their names. */
  async function run(operationName: string): Promise<void> {
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: operationName, exact: true }).click();
  }

  it('runs the example create, then watches the task to SUCCEEDED over a WebSocket', {
    timeout: 90_000,
  }, async () => {
    await page.goto(`${gateway.url}/graphql`);
    const editor = page.locator('.graphiql-query-editor .view-lines');
    await expect
      .poll(() => editor.textContent(), { timeout: UI_TIMEOUT_MS })
      .toContain('CreateStoryboardTask');
    await expect.poll(() => textOf(`${VARIABLES_EDITOR} .view-lines`)).toContain('"image"');

    await run('CreateStoryboardTask');
    await waitForResult('the created task', (text) => text.includes('"createImageToVideoTask"'));
    expect(await resultText()).toContain('"status":"SUBMITTED"');
    const { tasks } = await gateway.client.expectData<ListedTasks>(
      'query { tasks(first: 1) { edges { node { id providerTaskId } } } }',
    );
    const task = tasks.edges[0]?.node;
    if (task?.providerTaskId == null) throw new Error('the create did not reach the gateway');
    expect(await resultText()).toContain(`"id":"${task.id}"`);

    // Pasted, as a developer would: typed or inserted text races Monaco's closing of brackets and
    // quotes (it left a stray `"}` behind now and then); a paste is taken as it is.
    const variables = JSON.stringify({ id: task.id });
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url });
    await page.locator(`${VARIABLES_EDITOR} .monaco-editor`).click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), variables);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
    await expect.poll(() => textOf(`${VARIABLES_EDITOR} .view-lines`)).toBe(variables);
    await run('WatchTask');
    await waitForResult('the subscription', (text) => text.includes('"taskUpdated"'));

    gateway.simulator.advanceTask(task.providerTaskId, 'processing');
    await waitForResult('PROCESSING', (text) => text.includes('"status":"PROCESSING"'));
    gateway.simulator.advanceTask(task.providerTaskId, 'succeed');
    await waitForResult('SUCCEEDED', (text) => text.includes('"status":"SUCCEEDED"'));
    expect(await resultText()).toMatch(/"url":"http:\/\/[^"]+\.mp4"/);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'graphiql-succeeded.png') });
  });
});
