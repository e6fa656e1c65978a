/**
 * Caps on live subscriptions per tenant (this instance's share) so one tenant cannot hold every
 * socket and listener. Per-connection caps are the WebSocket transport's (src/server.ts).
 */
import { GraphQLError } from 'graphql';

export interface SubscriptionSlots {
  /** Takes a slot for the tenant or throws SUBSCRIPTION_LIMIT; call the returned function to free it. */
  acquire(tenant: string): () => void;
  /** Live subscriptions on this instance. */
  count(): number;
}

export function createSubscriptionSlots(perTenant: number): SubscriptionSlots {
  const held = new Map<string, number>();
  let total = 0;
  return {
    acquire(tenant) {
      const current = held.get(tenant) ?? 0;
      if (current >= perTenant) throw subscriptionLimit(`at most ${perTenant} live subscriptions per user`);
      held.set(tenant, current + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const remaining = (held.get(tenant) ?? 1) - 1;
        if (remaining === 0) held.delete(tenant);
        else held.set(tenant, remaining);
      };
    },
    count: () => total,
  };
}

export function subscriptionLimit(detail: string): GraphQLError {
  return new GraphQLError(`Too many live subscriptions: ${detail}`, {
    extensions: { code: 'SUBSCRIPTION_LIMIT' },
  });
}
