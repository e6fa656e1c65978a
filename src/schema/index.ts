/** The gateway's GraphQL schema: every domain file registers its types on the builder. */
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './camera-control.js';
import './create-task.js';
import './input-limits.js';
import './model.js';
import './model-capabilities.js';
import './motion-brush.js';
import './shot.js';
import './task.js';
import './task-queries.js';
import './task-subscriptions.js';
import './voice.js';

/** Declaration order is kept (Pothos sorts by default): GraphiQL then lists fields as designed. */
export function buildSchema(): GraphQLSchema {
  return builder.toSchema({ sortSchema: false });
}
