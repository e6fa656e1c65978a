/**
 * The operations frontends copy (examples/operations, also GraphiQL's tabs) are accepted by the
 * gateway as written: every create passes validation, the watch follows a task to its end.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, Kind, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateCameraMoveTaskDocument,
  CreateStoryboardTaskDocument,
  CreateVoicedTaskDocument,
  ModelsDocument,
  MyTasksDocument,
  type TypedDocumentString,
  WatchTaskDocument,
  type WatchTaskSubscription,
} from '../examples/generated/graphql.js';
import { graphiqlExamples } from '../src/explorer/graphiql-examples.js';
import { IMAGE_URL } from './fixtures/images.js';
import { subscribe } from './helpers/subscriptions.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('example operations', () => {
  let gateway: TestApp;
  const run = <TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
  ) => gateway.client.expectData<TResult>(document.toString(), variables);

  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(() => gateway.stop());

  it.each([
    ['storyboard', () => run(CreateStoryboardTaskDocument, { image: IMAGE_URL })],
    ['camera move', () => run(CreateCameraMoveTaskDocument, { image: IMAGE_URL })],
    ['voiced', () => run(CreateVoicedTaskDocument, { image: IMAGE_URL, voiceId: '850087542757535834' })],
  ])('creates the %s task', async (_name, create) => {
    const { createImageToVideoTask } = await create();
    expect(createImageToVideoTask.task.status).toBe('SUBMITTED');
  });

  it('lists my tasks and the models', async () => {
    const { tasks } = await run(MyTasksDocument, { first: 10 });
    expect(tasks.edges.length).toBeGreaterThanOrEqual(3);
    const { models, presetVoices } = await run(ModelsDocument, {});
    expect(models.map((model) => model.name)).toContain('KLING_V3');
    expect(presetVoices.length).toBeGreaterThan(0);
  });

  it('watches a task to SUCCEEDED', async () => {
    const { createImageToVideoTask } = await run(CreateCameraMoveTaskDocument, { image: IMAGE_URL });
    const { id } = createImageToVideoTask.task;
    const watch = subscribe<WatchTaskSubscription>('websocket', gateway.url, WatchTaskDocument.toString(), {
      id,
    });
    try {
      await watch.waitFor((result) => result.data?.taskUpdated.status === 'SUBMITTED');
      gateway.simulator.advanceTask(createImageToVideoTask.task.providerTaskId ?? '', 'succeed');
      await watch.completed;
      expect(watch.results.at(-1)?.data?.taskUpdated.videos[0]?.url).toMatch(/\.mp4$/);
    } finally {
      await watch.dispose();
    }
  });
});

describe('GraphiQL examples', () => {
  it('open with every example operation, valid against the schema, and variables for all', () => {
    const [tab] = graphiqlExamples().defaultTabs ?? [];
    const document = parse(tab?.query ?? '');
    const operations = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value] : [],
    );
    expect(operations).toEqual([
      'CreateStoryboardTask',
      'CreateCameraMoveTask',
      'CreateVoicedTask',
      'WatchTask',
      'MyTasks',
      'Models',
    ]);
    expect(validate(buildSchema(readFileSync('schema.graphql', 'utf8')), document)).toEqual([]);
    const declared = new Set(
      document.definitions.flatMap((definition) =>
        definition.kind === Kind.OPERATION_DEFINITION
          ? (definition.variableDefinitions ?? []).map((variable) => variable.variable.name.value)
          : [],
      ),
    );
    const required = ['image', 'voiceId', 'id'];
    for (const name of required) expect(declared).toContain(name);
    expect(Object.keys(JSON.parse(tab?.variables ?? '{}'))).toEqual(expect.arrayContaining(required));
  });
});
