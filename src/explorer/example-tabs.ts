/**
 * GraphiQL's opening tabs: the operations of examples/operations (the same files the typed client
 * is generated from, so the explorer never shows an operation the tests do not run), each with
 * variables ready to send. Read once when the server starts.
 */
import { readFileSync } from 'node:fs';

export interface ExampleTab {
  query: string;
  variables?: string;
}

const OPERATIONS = new URL('../../examples/operations/', import.meta.url);
const IMAGE = 'https://example.com/first-frame.png';

/** File, variables; in the order a newcomer would try them. */
const TABS: readonly [file: string, variables?: Record<string, unknown>][] = [
  ['create-storyboard-task.graphql', { image: IMAGE }],
  ['create-camera-move-task.graphql', { image: IMAGE }],
  ['create-voiced-task.graphql', { image: IMAGE, voiceId: '850087542757535834' }],
  ['watch-task.graphql', { id: 'paste the id returned by a create tab' }],
  ['my-tasks.graphql', { first: 10, status: null }],
  ['models.graphql'],
];

const FRAGMENT_FILES = ['task-fields.graphql'] as const;

export function exampleTabs(): ExampleTab[] {
  const read = (file: string) => readFileSync(new URL(file, OPERATIONS), 'utf8').trim();
  const fragments = FRAGMENT_FILES.map((file) => ({ name: fragmentName(read(file)), text: read(file) }));
  return TABS.map(([file, variables]) => {
    const operation = read(file);
    // A tab runs on its own, so it carries the fragments it spreads.
    const used = fragments.filter((fragment) => operation.includes(`...${fragment.name}`));
    const query = [operation, ...used.map((fragment) => fragment.text)].join('\n\n');
    return variables === undefined ? { query } : { query, variables: JSON.stringify(variables, null, 2) };
  });
}

function fragmentName(text: string): string {
  const name = /fragment\s+(\w+)/.exec(text)?.[1];
  if (name === undefined) throw new Error(`no fragment definition in:\n${text}`);
  return name;
}
