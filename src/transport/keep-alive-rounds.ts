/**
 * Keep-alive for thousands of connections, spread over the interval. A ping (WebSocket) or a
 * comment line (SSE) written to every connection in one burst holds the event loop for as long as
 * those writes take, tens of milliseconds per 10,000 sockets: a status change published during the
 * burst reached its subscribers that much later (BENCHMARKS.md, rows 3 and 5). In rounds, each tick
 * visits a slice of the connections, and each connection is still visited once per interval.
 */

/** Ticks per round: each visits about 1/12 of the members. */
const SLICES_PER_ROUND = 12;

/**
 * Visits every member of `members` (a live set: members come and go between ticks) once per round
 * of `intervalMs`, a slice per tick. A round never starts sooner than `intervalMs` after the last
 * one started, so two visits of one member are about `intervalMs` apart. Returns `stop`.
 */
export function visitInRounds<T>(
  members: ReadonlySet<T>,
  visit: (member: T) => void,
  intervalMs: number,
): () => void {
  const tickMs = intervalMs / SLICES_PER_ROUND;
  let round = members.values();
  let roundStartedAt = performance.now();
  const tick = () => {
    let left = Math.ceil(members.size / SLICES_PER_ROUND);
    while (left > 0) {
      const next = round.next();
      if (!next.done) {
        visit(next.value);
        left -= 1;
        continue;
      }
      // Half a tick of slack, so timer drift does not push a round back by a whole tick.
      if (performance.now() - roundStartedAt < intervalMs - tickMs / 2) return;
      round = members.values();
      roundStartedAt = performance.now();
    }
  };
  const timer = setInterval(tick, tickMs).unref();
  return () => clearInterval(timer);
}
