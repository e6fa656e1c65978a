/**
 * Document-shape limits (depth, aliases, directives, tokens, cost) enforced by graphql-armor
 * during validation, before anything executes, on HTTP, SSE and WebSocket alike.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GatewayLimits } from './limits.js';

export function documentLimitsPlugin(limits: GatewayLimits) {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    // Suggestions would reveal field names to a client that cannot introspect.
    blockFieldSuggestion: { enabled: !limits.exposeSchema },
  });
}
