/**
 * Creates an image-to-video task through the gateway and shows its progress live until it ends,
 * using the typed documents generated from examples/operations (npm run codegen).
 *
 *   node --import tsx examples/submit-and-watch.ts [--example storyboard|camera|voices]
 *        [--image URL] [--prompt TEXT]
 *
 * Environment: GRAPHQL_URL (default http://localhost:4000/graphql), GRAPHQL_TOKEN (a bearer token,
 * when the gateway checks them). Exit status: 0 SUCCEEDED, 1 FAILED, 2 when the task could not be
 * created or watched (bad input, gateway unreachable, lost connection).
 */
import { parseArgs } from 'node:util';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  CreateTaskDocument,
  type ImageToVideoInput,
  type TaskFieldsFragment,
  type TypedDocumentString,
  WatchTaskDocument,
} from './generated/graphql.js';

const EXAMPLES = {
  storyboard: (image: string): ImageToVideoInput => ({
    model: 'KLING_V3',
    mode: 'PRO',
    image,
    multiShot: true,
    shotType: 'CUSTOMIZE',
    shots: [
      { index: 1, prompt: 'Wide shot: a lighthouse on a cliff at dawn', duration: 4 },
      { index: 2, prompt: 'The lamp turns on, light sweeps across the sea', duration: 3 },
      { index: 3, prompt: 'Close-up of waves breaking on the rocks', duration: 3 },
    ],
    duration: 10,
  }),
  camera: (image: string, prompt?: string): ImageToVideoInput => ({
    model: 'KLING_V1_5',
    mode: 'PRO',
    duration: 5,
    image,
    prompt: prompt ?? 'A slow push-in on a mountain cabin in falling snow',
    cameraControl: { type: 'SIMPLE', config: { zoom: -5 } },
  }),
  voices: (image: string, prompt?: string): ImageToVideoInput => ({
    model: 'KLING_V2_6',
    mode: 'PRO',
    duration: 5,
    image,
    prompt: prompt ?? 'The <<<voice_1>>> narrator looks up and says: the storm is coming',
    voices: [{ voiceId: '850087542757535834' }],
    sound: true,
  }),
} as const;

type ExampleName = keyof typeof EXAMPLES;

interface GraphQLError {
  message: string;
  extensions?: { code?: string; issues?: { path: unknown[]; message: string }[] } & Record<string, unknown>;
}

interface GraphQLResult<T> {
  data?: T | null;
  errors?: readonly GraphQLError[];
}

/** A failure of the script itself (not of the task): exit status 2. */
class ScriptError extends Error {}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function readOptions() {
  const { values } = parseArgs({
    options: {
      example: { type: 'string', default: 'storyboard' },
      image: { type: 'string', default: 'https://example.com/first-frame.png' },
      prompt: { type: 'string' },
    },
  });
  const example = values.example;
  if (!(example in EXAMPLES)) {
    throw new ScriptError(`--example must be one of ${Object.keys(EXAMPLES).join(', ')}`);
  }
  if (example === 'storyboard' && values.prompt !== undefined) {
    throw new ScriptError('--prompt does not apply to the storyboard example: each shot has its own prompt');
  }
  const graphqlUrl = process.env.GRAPHQL_URL ?? 'http://localhost:4000/graphql';
  const token = process.env.GRAPHQL_TOKEN;
  const input = EXAMPLES[example as ExampleName](values.image, values.prompt);
  return { graphqlUrl, token, example, input };
}

/** GraphQL over HTTP with a typed document: variables and result are checked at compile time. */
async function execute<TResult, TVariables>(
  url: string,
  token: string | undefined,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch (error) {
    throw new ScriptError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = (await response.json()) as GraphQLResult<TResult>;
  if (result.errors?.length || !result.data) throw new ScriptError(describeErrors(result.errors ?? []));
  return result.data;
}

function describeErrors(errors: readonly GraphQLError[]): string {
  return errors
    .flatMap((error) => {
      const code = error.extensions?.code ? `${error.extensions.code}: ` : '';
      const issues = (error.extensions?.issues ?? []).map(
        (issue) => `    ${issue.path.join('.')}: ${issue.message}`,
      );
      return [`${code}${error.message}`, ...issues];
    })
    .join('\n');
}

/** Prints status transitions; on a terminal, also a live line with a spinner and the elapsed time. */
function progressDisplay(startedAt: number) {
  const live = process.stdout.isTTY === true;
  const elapsed = () => `${((performance.now() - startedAt) / 1_000).toFixed(1).padStart(6)}s`;
  let status = 'CREATING';
  let frame = 0;
  const redraw = () => {
    frame = (frame + 1) % SPINNER.length;
    process.stdout.write(`\r\x1b[2K${SPINNER[frame]} ${status.padEnd(10)} ${elapsed()}`);
  };
  const timer = live ? setInterval(redraw, 100 /* ms */) : undefined;
  return {
    transition(task: TaskFieldsFragment) {
      status = task.status;
      const note = task.statusMessage ? ` (${task.statusMessage})` : '';
      if (live) process.stdout.write('\r\x1b[2K');
      process.stdout.write(`[${elapsed()}] ${task.status}${note}\n`);
    },
    stop() {
      clearInterval(timer);
      if (live) process.stdout.write('\r\x1b[2K');
    },
  };
}

/** A typed subscription over graphql-ws: each result is typed by the document. */
function subscribe<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
) {
  return client.iterate<TResult>({ query: document.toString(), variables });
}

async function watch(
  graphqlUrl: string,
  token: string | undefined,
  taskId: string,
  display: ReturnType<typeof progressDisplay>,
): Promise<TaskFieldsFragment> {
  const client = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  let last: TaskFieldsFragment | undefined;
  try {
    for await (const result of subscribe(client, WatchTaskDocument, { id: taskId })) {
      const update = result.data?.taskUpdated;
      if (result.errors?.length || !update) throw new ScriptError(describeErrors(result.errors ?? []));
      // After a reconnect the subscription starts again with the current state: skip what was seen.
      if (last !== undefined && update.sequence <= last.sequence) continue;
      if (update.status !== last?.status) display.transition(update);
      last = update;
    }
  } catch (error) {
    if (error instanceof ScriptError) throw error;
    throw new ScriptError(`the subscription failed: ${describeTransportError(error)}`);
  } finally {
    await client.dispose();
  }
  if (last === undefined) throw new ScriptError('the subscription ended without delivering the task');
  return last;
}

/** graphql-ws rejects with a CloseEvent, an error list, or an Error. */
function describeTransportError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return describeErrors(error as GraphQLError[]);
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const reason = 'reason' in error && error.reason ? ` ${String(error.reason)}` : '';
    return `connection closed (${String(error.code)}${reason})`;
  }
  return String(error);
}

async function main(): Promise<number> {
  const { graphqlUrl, token, example, input } = readOptions();
  const startedAt = performance.now();
  const { createImageToVideoTask } = await execute(graphqlUrl, token, CreateTaskDocument, {
    input,
    idempotencyKey: `submit-and-watch-${Date.now()}`,
  });
  const { task } = createImageToVideoTask;
  process.stdout.write(
    `Created ${example} task ${task.id} (${task.model}, ${task.mode}, ${task.duration} s) at ${graphqlUrl}\n`,
  );
  const display = progressDisplay(startedAt);
  let final: TaskFieldsFragment;
  try {
    final = await watch(graphqlUrl, token, task.id, display);
  } finally {
    display.stop();
  }
  if (final.status === 'SUCCEEDED') {
    for (const video of final.videos)
      process.stdout.write(`Video (${video.duration.toFixed(1)} s): ${video.url}\n`);
    return 0;
  }
  if (final.status === 'FAILED') {
    process.stdout.write(`Task failed (${final.failureCode ?? 'no code'}): ${final.statusMessage ?? ''}\n`);
    return 1;
  }
  throw new ScriptError(`the subscription ended while the task was ${final.status}`);
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
