// The deadlines of an HTTP client's exchanges in flight, on fake timers: each ends at its deadline
// whatever ended around it, and the shared timer runs only while something is in flight.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines, type InFlight } from '../../../../src-main/core/http/deadlines.ts';

/** An exchange that, like the client's, leaves the list when it settles (here, when it expires). */
function exchange(name: string, deadlines: Deadlines, expired: string[]): InFlight {
  const self: InFlight = {
    dueAt: 0,
    previous: null,
    next: null,
    expire: () => {
      expired.push(name);
      deadlines.finish(self);
    },
  };
  return self;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Deadlines', () => {
  it('expires each exchange at its deadline, in order, after others left from the head, the middle and the tail', () => {
    const deadlines = new Deadlines(1000);
    const expired: string[] = [];
    const all = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => [name, exchange(name, deadlines, expired)]));
    for (const name of ['a', 'b', 'c']) deadlines.start(all[name]!);
    vi.advanceTimersByTime(300);
    for (const name of ['d', 'e', 'f']) deadlines.start(all[name]!);
    // Answered in time: the head, one in the middle, the tail; and one of them twice.
    deadlines.finish(all.a!);
    deadlines.finish(all.c!);
    deadlines.finish(all.f!);
    deadlines.finish(all.c!);
    vi.advanceTimersByTime(650);
    expect(expired).toEqual([]);
    // b is due at 1000 ms: the first sweep after it (every 50 ms) ends it, and only it.
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['b']);
    vi.advanceTimersByTime(300);
    expect(expired).toEqual(['b', 'd', 'e']);
    // Nothing is in flight: the timer stopped, and nothing keeps running.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts its timer again for the next exchange, and stops it when the last one ends', () => {
    const deadlines = new Deadlines(500);
    const expired: string[] = [];
    const first = exchange('first', deadlines, expired);
    deadlines.start(first);
    expect(vi.getTimerCount()).toBe(1);
    deadlines.finish(first);
    expect(vi.getTimerCount()).toBe(0);
    const second = exchange('second', deadlines, expired);
    deadlines.start(second);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(600);
    expect(expired).toEqual(['second']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves on from an exchange whose expiry did not take it out of the list', () => {
    const deadlines = new Deadlines(100);
    const expired: string[] = [];
    // A faulty exchange: it never finishes itself. The sweep must not stall on it.
    const stuck: InFlight = { dueAt: 0, previous: null, next: null, expire: () => expired.push('stuck') };
    deadlines.start(stuck);
    deadlines.start(exchange('after', deadlines, expired));
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['stuck', 'after']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
