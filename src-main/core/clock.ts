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
