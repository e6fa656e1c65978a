/**
 * The GraphQL-over-HTTP audit suite of the `graphql-http` package, run against the gateway's
 * /graphql over real HTTP: one test per audit. A failing MUST audit fails its test; a failing SHOULD
 * or MAY audit passes, annotated and logged with the reason, and the summary names them all.
 */
import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('GraphQL over HTTP: graphql-http server audits', () => {
  let gateway: TestApp;
  const failures: string[] = [];

  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(async () => {
    if (failures.length > 0) console.warn(`graphql-http audits not met:\n${failures.join('\n')}`);
    await gateway.stop();
  });

  /** The reason with the response that showed it. */
  async function describeFailure(result: Exclude<AuditResult, { status: 'ok' }>): Promise<string> {
    const body = await result.response.text().catch(() => '(body unreadable)');
    return `${result.reason} (HTTP ${result.response.status}: ${body.slice(0, 500)})`;
  }

  for (const audit of serverAudits({ url: () => `${gateway.url}/graphql` })) {
    it(`${audit.name} [${audit.id}]`, async ({ annotate }) => {
      const result = await audit.fn();
      if (result.status === 'ok') return;
      const detail = await describeFailure(result);
      if (result.status === 'error') expect.fail(detail);
      failures.push(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${detail}`);
      await annotate(`not met (${result.status}): ${detail}`, 'warning');
    });
  }
});
