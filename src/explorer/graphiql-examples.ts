/**
 * What GraphiQL opens with: every operation of examples/operations (the files the typed client is
 * generated from and the tests run, so the explorer never shows an operation that does not work)
 * in one document, with variables that serve them all. Read when the server starts.
 *
 * One document rather than a tab per operation: the bundled GraphiQL 5 renders several default
 * tabs with stuck drag offsets on a first visit, so a click on a tab never lands.
 */
import { readFileSync } from 'node:fs';
import type { GraphiQLOptions } from 'graphql-yoga';

const OPERATIONS = new URL('../../examples/operations/', import.meta.url);

/** In the order a newcomer would try them; the fragment last, as it only supports the others. */
const FILES = [
  'create-storyboard-task.graphql',
  'create-camera-move-task.graphql',
  'create-voiced-task.graphql',
  'watch-task.graphql',
  'my-tasks.graphql',
  'models.graphql',
  'task-fields.graphql',
] as const;

const HEADER = `# kling-graphql examples. Run one with ▶ (it asks which),
# or put the cursor inside it and press Ctrl-Enter.
# The variables below serve every operation: after a create,
# copy the task's \`id\` into "id" and run WatchTask.`;

/** Variables of every example operation; a GraphQL server ignores those an operation does not declare. */
export const EXAMPLE_VARIABLES = {
  image: 'https://example.com/first-frame.png',
  voiceId: '850087542757535834',
  id: 'paste the id returned by a create',
  first: 10,
} as const;

/**
 * Spread into Yoga's `graphiql` options. `variables` is not in Yoga's GraphiQLOptions type, but its
 * renderer hands it to GraphiQL as `initialVariables`: without it the first default tab opens with
 * an empty variables editor (graphql/graphiql#3392).
 */
export function graphiqlExamples(): Pick<GraphiQLOptions, 'defaultTabs'> & { variables: string } {
  const read = (file: string) => readFileSync(new URL(file, OPERATIONS), 'utf8').trim();
  const query = [HEADER, ...FILES.map(read)].join('\n\n');
  const variables = JSON.stringify(EXAMPLE_VARIABLES, null, 2);
  return { defaultTabs: [{ query, variables }], variables };
}
