/** Where core reads the time, so tests can fix it. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * The clock the environment asks for: TKV_CLOCK, an ISO time, stops the vault's clock there (its
 * records, ages, expiries and review all read it), so that a demo or a transcript of the command
 * line comes out the same on every run; otherwise the real clock.
 */
export function clockFromEnv(env: Record<string, string | undefined>): Clock {
  const fixed = env.TKV_CLOCK;
  if (!fixed) return systemClock;
  const at = Date.parse(fixed);
  if (Number.isNaN(at)) throw new Error(`TKV_CLOCK is not an ISO time (e.g. 2026-12-01T09:00:00Z): ${fixed.slice(0, 40)}`);
  return { now: () => new Date(at) };
}

/**
 * The clock's time as ISO 8601 text, the way every record of the vault stamps it. Bulk runs stamp
 * thousands of checks a second, mostly in the same millisecond: the text is made once per millisecond.
 */
export class Stamps {
  private readonly clock: Clock;
  private last = { ms: Number.NaN, iso: '' };

  constructor(clock: Clock) {
    this.clock = clock;
  }

  now(): string {
    const date = this.clock.now();
    const ms = date.getTime();
    if (ms !== this.last.ms) this.last = { ms, iso: date.toISOString() };
    return this.last.iso;
  }

  /** Today as `YYYY-MM-DD` (UTC), for expiries. */
  today(): string {
    return this.now().slice(0, 10);
  }
}
