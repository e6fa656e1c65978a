import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startTestApp } from '../test/helpers/test-app.js';

const gateway = await startTestApp();
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'kg-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? (await context.newPage());
page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 200)));
await page.goto(`${gateway.url}/graphql`);
await page.locator('.graphiql-tab').first().waitFor({ timeout: 20000 });
console.log('tabs', await page.locator('.graphiql-tab').allInnerTexts());
const vars = () => page.locator('section.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines').innerText();
console.log('tab1 vars:', JSON.stringify(await vars()));
await page.locator('.graphiql-tab-button').nth(2).click();
await page.waitForTimeout(500);
console.log('tab3 vars:', JSON.stringify(await vars()));
await page.locator('.graphiql-tab-button').nth(0).click();
await page.waitForTimeout(500);
console.log('tab1 vars again:', JSON.stringify(await vars()));
await page.screenshot({ path: '.scratch/probe.png' });
await context.close();
await gateway.stop();
