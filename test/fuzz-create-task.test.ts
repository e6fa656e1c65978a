/**
 * Fuzzed `ImageToVideoInput`s (fast-check): random and adversarial values of every type in every
 * field (huge strings, unicode with lone surrogates and RTL marks, NUL, NaN and infinities, -0, raw
 * `1e400`, deep and long lists, broken base64, `data:` prefixes, wrong enum values, unknown fields).
 *
 * - On the pure validator (thousands of runs): it never throws, every issue names a field of the
 *   input, and whatever it accepts the simulator's own validator (the provider's rules) accepts too.
 * - Over real HTTP against a test gateway (hundreds of runs): never a 5xx or a masked error, every
 *   rejection names the offending field, a rejected create stores and sends nothing, an accepted one
 *   reaches the simulator exactly once and is not refused (1201), and the server keeps answering.
 *
 * Long variant: FUZZ_RUNS=<n> runs each pure property n times and each HTTP property n/10 times
 * (CI: FUZZ_RUNS=50000). FUZZ_SEED=<seed> replays the seed a failure printed.
 */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { isInputObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.js';
import type { ImageToVideoInput } from '../src/resolvers/image-to-video-request.js';
import { validateImageToVideoInput } from '../src/resolvers/validate-image-to-video-input.js';
import { unstorableTextIssues } from '../src/resolvers/validation/storable-text.js';
import { buildSchema } from '../src/schema/index.js';
import { DEFAULT_LIMITS } from '../src/security/limits.js';
import { toCreateImageToVideoBody } from '../src/upstream/create-body.js';
import { validateCreateBody } from '../src/upstream/simulator/validation.js';
import {
  chaoticVariables,
  contentImage,
  formImage,
  type Json,
  jsonText,
  toVariables,
  typedInput,
} from './fixtures/fuzz-inputs.js';
import type { GraphQLResponse } from './helpers/graphql-client.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const PURE_RUNS = FUZZ_RUNS > 0 ? FUZZ_RUNS : 2_000;
const HTTP_RUNS = FUZZ_RUNS > 0 ? Math.ceil(FUZZ_RUNS / 10) : 150;
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
/** Generous: a long run on a busy 2-core machine. */
const timeoutFor = (runs: number, msPerRun: number) => 30_000 + runs * msPerRun;

const INPUT_FIELDS = (() => {
  const type = buildSchema().getType('ImageToVideoInput');
  if (!isInputObjectType(type)) throw new Error('ImageToVideoInput is not an input type');
  return new Set(Object.keys(type.getFields()));
})();

/** The simulator refuses a voice the account does not own; which ones it owns only the provider knows. */
const anyVoiceIsKnown = () => true;

/** The simulator's verdict on what the gateway would send for `input`, or undefined when accepted. */
function simulatorRefusal(input: ImageToVideoInput): string | undefined {
  const result = validateImageToVideoInput(input);
  if (!result.ok) throw new Error('only for accepted inputs');
  const body = toCreateImageToVideoBody(result.request, { externalTaskId: 'kg-fuzz' });
  try {
    // Through JSON, as on the wire.
    validateCreateBody(JSON.parse(JSON.stringify(body)), anyVoiceIsKnown);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function expectGatewayAndSimulatorAgree(input: ImageToVideoInput): void {
  if (!validateImageToVideoInput(input).ok) return;
  const refusal = simulatorRefusal(input);
  if (refusal !== undefined) {
    expect.fail(`the gateway accepts what the provider refuses (${refusal}): ${JSON.stringify(input)}`);
  }
}

describe('validateImageToVideoInput on fuzzed input', () => {
  it(
    `never throws, and names a field of the input in every issue (${PURE_RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(typedInput(fc.oneof(formImage, contentImage)), (input) => {
          const result = validateImageToVideoInput(input);
          if (result.ok) {
            // What it accepts can be stored: PostgreSQL takes no NUL and no lone surrogate.
            expect(unstorableTextIssues(result.request, ['request'])).toEqual([]);
            return;
          }
          expect(result.issues.length).toBeGreaterThan(0);
          for (const { path, message } of result.issues) {
            expect(path[0]).toBe('input');
            expect(INPUT_FIELDS).toContain(path[1]);
            expect(message.trim()).not.toBe('');
          }
        }),
        { numRuns: PURE_RUNS, ...SEED },
      );
    },
    timeoutFor(PURE_RUNS, 5),
  );

  it(
    `accepts only what the simulator's validator accepts too (${PURE_RUNS} runs)`,
    () => {
      fc.assert(fc.property(typedInput(formImage), expectGatewayAndSimulatorAgree), {
        numRuns: PURE_RUNS,
        ...SEED,
      });
    },
    timeoutFor(PURE_RUNS, 5),
  );

  it(
    `agrees with the simulator on image contents: format, pixel size, aspect ratio, URL form (${PURE_RUNS} runs)`,
    () => {
      fc.assert(fc.property(typedInput(contentImage), expectGatewayAndSimulatorAgree), {
        numRuns: PURE_RUNS,
        ...SEED,
      });
    },
    timeoutFor(PURE_RUNS, 5),
  );
});

const CREATE = /* GraphQL */ `
  mutation Create($input: ImageToVideoInput!, $key: String) {
    createImageToVideoTask(input: $input, idempotencyKey: $key) {
      task { id status statusMessage externalTaskId }
    }
  }
`;

interface CreateData {
  createImageToVideoTask: {
    task: { id: string; status: string; statusMessage: string | null; externalTaskId: string };
  } | null;
}

/** graphql-js stops coercing variables after 50 errors, each naming its field, and says so last. */
const TOO_MANY_ERRORS = 'Too many errors processing variables, error limit reached. Execution aborted.';

const ACCEPTS = ['application/graphql-response+json', 'application/json'] as const;

/** An idempotency key: usually none, else fresh per run, or adversarial. */
const idempotencyKey = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 6 },
  { arbitrary: fc.constant({ kind: 'fresh' as const }), weight: 2 },
  {
    arbitrary: fc
      .constantFrom<Json>('', 'k'.repeat(256), 'k\u0000', '\ud800', 5, true, ['k'], { k: 1 })
      .map((value) => ({ kind: 'raw' as const, value })),
    weight: 1,
  },
);
type KeyChoice = typeof idempotencyKey extends fc.Arbitrary<infer T> ? T : never;

describe('createImageToVideoTask over HTTP with fuzzed variables', () => {
  let gateway: TestApp;
  let run = 0;
  const accepted = new Set<string>();

  beforeAll(async () => {
    gateway = await startTestApp({
      // Every accepted create goes upstream at once: no quota, no local cap, no 1303, no polling.
      config: {
        maxConcurrency: 1_000_000,
        pollIntervalMs: 3_600_000,
        // A loaded machine must not turn a slow answer into a retry: each create is judged once.
        upstreamTimeoutMs: 30_000,
        limits: { ...DEFAULT_LIMITS, createsPerMinute: 1_000_000, tasksInFlightPerTenant: 1_000_000 },
      },
      simulatorOptions: { concurrencyLimit: 1_000_000 },
    });
  });
  afterAll(() => gateway.stop());

  const createRequests = () =>
    gateway.simulator.requests.filter(
      (request) => request.method === 'POST' && request.path === '/v1/videos/image2video',
    );

  async function send(variables: Json, key: KeyChoice, accept: (typeof ACCEPTS)[number]) {
    run += 1;
    const keyJson = key.kind === 'none' ? undefined : key.kind === 'fresh' ? `fuzz-${run}` : key.value;
    const body = `{"query":${JSON.stringify(CREATE)},"variables":${jsonText({ input: variables, ...(keyJson === undefined ? {} : { key: keyJson }) })}}`;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body,
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 2_000)).toBeLessThan(500);
    return JSON.parse(text) as GraphQLResponse<CreateData>;
  }

  /** Checks one answer against the invariants; true when the create was accepted. */
  function expectSound(response: GraphQLResponse<CreateData>, postsBefore: number): boolean {
    const dump = JSON.stringify(response).slice(0, 2_000);
    const task = response.data?.createImageToVideoTask?.task;
    if (task !== undefined) {
      accepted.add(task.externalTaskId);
      expect(response.errors, dump).toBeUndefined();
      const creates = createRequests().filter(
        (request) =>
          (request.body as { external_task_id?: unknown }).external_task_id === task.externalTaskId,
      );
      expect(creates, `one create upstream for ${task.externalTaskId}`).toHaveLength(1);
      expect(creates[0]?.answeredCode, `refused upstream: ${task.statusMessage}`).toBe(0);
      expect(task.status, dump).toBe('SUBMITTED');
      return true;
    }
    expect(response.errors?.length, dump).toBeGreaterThan(0);
    for (const error of response.errors ?? []) {
      if (error.extensions?.code === 'BAD_USER_INPUT') {
        const issues = error.extensions.issues ?? [];
        expect(issues.length, dump).toBeGreaterThan(0);
        for (const { path, message } of issues) {
          expect(message.trim(), dump).not.toBe('');
          if (path[0] === 'idempotencyKey') continue;
          expect(path[0], dump).toBe('input');
          expect(INPUT_FIELDS, dump).toContain(path[1]);
        }
      } else if (error.message !== TOO_MANY_ERRORS) {
        // GraphQL's own coercion of the variables names the variable, then the path or the field.
        expect(error.message, dump).toMatch(/^Variable "\$(input|key)"/);
        if (error.message.startsWith('Variable "$input"')) {
          expect(error.message, dump).toMatch(/ at "input[.[]|Field "[^"]*"/);
        }
      }
    }
    expect(createRequests().length, `nothing sent upstream for a rejection: ${dump}`).toBe(postsBefore);
    return false;
  }

  it(
    `typed inputs: accepted exactly when the validator accepts, and then taken upstream (${HTTP_RUNS} runs)`,
    async () => {
      let acceptedRuns = 0;
      await fc.assert(
        fc.asyncProperty(typedInput(formImage), fc.constantFrom(...ACCEPTS), async (input, accept) => {
          const postsBefore = createRequests().length;
          const response = await send(toVariables(input) ?? {}, { kind: 'none' }, accept);
          const wasAccepted = expectSound(response, postsBefore);
          expect(wasAccepted, JSON.stringify(response).slice(0, 2_000)).toBe(
            validateImageToVideoInput(input).ok,
          );
          if (wasAccepted) acceptedRuns += 1;
        }),
        { numRuns: HTTP_RUNS, ...SEED },
      );
      // The property means little unless both outcomes happened.
      expect(acceptedRuns).toBeGreaterThan(0);
      expect(acceptedRuns).toBeLessThan(HTTP_RUNS);
    },
    timeoutFor(HTTP_RUNS, 300),
  );

  it(
    `chaotic variables (any JSON in any field, unknown fields, raw 1e400 and -0): never 5xx, every rejection named (${HTTP_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          chaoticVariables(formImage),
          idempotencyKey,
          fc.constantFrom(...ACCEPTS),
          async (variables, key, accept) => {
            const postsBefore = createRequests().length;
            expectSound(await send(variables, key, accept), postsBefore);
          },
        ),
        { numRuns: HTTP_RUNS, ...SEED },
      );
    },
    timeoutFor(HTTP_RUNS, 300),
  );

  it(
    `images whose content the provider refuses never reach it (${Math.ceil(HTTP_RUNS / 3)} runs)`,
    async () => {
      await fc.assert(
        // Only inputs the validator accepts: the question is whether the provider agrees.
        fc.asyncProperty(
          typedInput(contentImage).filter((input) => validateImageToVideoInput(input).ok),
          async (input) => {
            const postsBefore = createRequests().length;
            expectSound(await send(toVariables(input) ?? {}, { kind: 'none' }, ACCEPTS[0]), postsBefore);
          },
        ),
        { numRuns: Math.ceil(HTTP_RUNS / 3), ...SEED },
      );
    },
    timeoutFor(HTTP_RUNS, 300),
  );

  it('refuses text PostgreSQL cannot store (NUL, lone surrogates) in any field, naming each', async () => {
    const postsBefore = createRequests().length;
    const response = await send(
      {
        model: 'KLING_V3',
        image: 'https://example.com/a\u0000.png',
        prompt: 'a\u0000b',
        negativePrompt: 'x\ud800y',
        multiShot: false,
      },
      { kind: 'raw', value: 'key\u0000' },
      ACCEPTS[0],
    );
    expect(expectSound(response, postsBefore)).toBe(false);
    const paths = response.errors?.[0]?.extensions?.issues?.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['input.image', 'input.prompt', 'input.negativePrompt', 'idempotencyKey']),
    );
  });

  it('refuses a base64 image over 10 MB, naming it', async () => {
    const postsBefore = createRequests().length;
    const response = await send({ image: 'A'.repeat(14 * 1024 * 1024) }, { kind: 'none' }, ACCEPTS[0]);
    expect(expectSound(response, postsBefore)).toBe(false);
    expect(response.errors?.[0]?.extensions?.issues).toContainEqual({
      path: ['input', 'image'],
      message: expect.stringContaining('10 MB'),
    });
  });

  it('is still up, sent each accepted task upstream once and stored nothing it refused', async () => {
    const health = await gateway.client.execute<{ __typename: string }>('{ __typename }');
    expect(health).toEqual({ data: { __typename: 'Query' } });

    const sentIds = createRequests().map(
      (request) => (request.body as { external_task_id?: unknown }).external_task_id,
    );
    expect(new Set(sentIds).size).toBe(sentIds.length);
    expect(new Set(sentIds)).toEqual(accepted);
    const [stored] = await gateway.running.services.db.select({ rows: count() }).from(tasks);
    expect(stored?.rows).toBe(accepted.size);
  });
});
