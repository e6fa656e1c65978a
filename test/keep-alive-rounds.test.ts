/**
 * Keep-alive in rounds: every connection is visited once per interval, a slice per tick rather
 * than all at once, and the connections that come and go between ticks are handled as they are.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { visitInRounds } from '../src/transport/keep-alive-rounds.js';

const INTERVAL_MS = 12_000;

describe('visitInRounds', () => {
  let stop: (() => void) | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    stop?.();
    vi.useRealTimers();
  });

  /** Who was visited, and when (fake ms since the start). */
  function track(members: Set<number>) {
    const visits: { member: number; at: number }[] = [];
    const startedAt = performance.now();
    stop = visitInRounds(
      members,
      (member) => visits.push({ member, at: performance.now() - startedAt }),
      INTERVAL_MS,
    );
    const countOf = (member: number) => visits.filter((visit) => visit.member === member).length;
    return { visits, countOf };
  }

  it('visits a twelfth of the members per tick, and each member once per interval', () => {
    const members = new Set(Array.from({ length: 1_200 }, (_, i) => i));
    const { visits, countOf } = track(members);
    vi.advanceTimersByTime(1_000);
    expect(visits).toHaveLength(100);
    vi.advanceTimersByTime(INTERVAL_MS - 1_000);
    expect(visits).toHaveLength(1_200);
    expect([...members].every((member) => countOf(member) === 1)).toBe(true);
    vi.advanceTimersByTime(INTERVAL_MS);
    expect([...members].every((member) => countOf(member) === 2)).toBe(true);
  });

  it('visits a member added during a round in that round, and never one that left', () => {
    const members = new Set(Array.from({ length: 120 }, (_, i) => i));
    const { countOf } = track(members);
    vi.advanceTimersByTime(3_000);
    members.add(1_000);
    members.delete(119);
    vi.advanceTimersByTime(INTERVAL_MS - 3_000);
    expect(countOf(1_000)).toBe(1);
    expect(countOf(119)).toBe(0);
  });

  it('keeps two visits of a member an interval apart even when most members leave mid-round', () => {
    const members = new Set(Array.from({ length: 1_200 }, (_, i) => i));
    const { visits } = track(members);
    vi.advanceTimersByTime(6_000);
    for (let member = 600; member < 1_190; member++) members.delete(member);
    vi.advanceTimersByTime(3 * INTERVAL_MS);
    for (const member of members) {
      const times = visits.filter((visit) => visit.member === member).map((visit) => visit.at);
      expect(times.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL_MS - 1_000);
      }
    }
  });

  it('visits no one once stopped', () => {
    const { visits } = track(new Set([1, 2, 3]));
    stop?.();
    vi.advanceTimersByTime(3 * INTERVAL_MS);
    expect(visits).toHaveLength(0);
  });
});
