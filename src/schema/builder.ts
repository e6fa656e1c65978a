/**
 * The Pothos builder, configured once: context, scalars, Relay conventions. Domain files add the
 * types; `index.ts` builds the schema.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver } from 'graphql-scalars';
import type { GatewayContext } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: {
      description: 'An object that can be fetched again by its global `id` with `node(id:)`.',
    },
    idFieldOptions: { description: 'Global ID: opaque, stable, accepted by `node(id:)`.' },
    nodeQueryOptions: {
      description: 'Any object by its global ID; null when no object of yours has that ID.',
      args: { id: { description: 'A global ID, as returned by an `id` field.' } },
    },
    nodesQueryOptions: {
      description:
        'Several objects by their global IDs, in order; null for each ID that names none of yours.',
      args: { ids: { description: 'Global IDs, as returned by `id` fields.' } },
    },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection, for fetching the next one.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow `endCursor` (pass it as `after`).' },
    hasPreviousPageFieldOptions: {
      description: 'Whether more items precede `startCursor` (pass it as `before`).',
    },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page.' },
    edgesFieldOptions: { nullable: false, description: 'The items of this page, each with its cursor.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: { description: 'Opaque position of this item, for `after` or `before`.' },
    pageInfoFieldOptions: { description: 'How to fetch the pages around this one.' },
    firstArgOptions: { description: 'Page size when paging forward (from the start or `after`).' },
    afterArgOptions: { description: 'Return items after this cursor (an `endCursor` or edge `cursor`).' },
    lastArgOptions: { description: 'Page size when paging backward (from the end or `before`).' },
    beforeArgOptions: { description: 'Return items before this cursor (a `startCursor` or edge `cursor`).' },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);

builder.queryType({ description: 'Reads: tasks, models and their capabilities, preset voices.' });
builder.mutationType({ description: 'Writes: creating image-to-video tasks.' });
builder.subscriptionType({ description: 'Live updates of tasks, over WebSocket (graphql-ws) or SSE.' });
