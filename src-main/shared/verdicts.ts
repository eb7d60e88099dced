/**
 * Verdict names of a key check, shared by core, CLI and renderer, and which of them judge the key.
 */
export const VERDICTS = [
  'valid',
  /** The key authenticates; none of its declared scopes could be tested (a 403 on the fallback probe). */
  'authenticated',
  'unauthorized',
  'forbidden',
  'not_found',
  'throttled',
  'server_error',
  /** A proxy, gateway or firewall answered a 401/403 with a page, not the API: nothing about the key. */
  'intercepted',
  /**
   * The endpoint accepted a key that cannot exist (the negative control got a 2xx or a 403), or the
   * control could not be run (a 429, a 5xx, no answer, three times): its answer to the key proves
   * nothing about it. A gateway, a mock, a base URL that is not the API, or a server failing.
   */
  'inconclusive',
  'redirected',
  'unexpected_status',
  'network_error',
  'tls_error',
  'timeout',
] as const;

export type Verdict = (typeof VERDICTS)[number];

/**
 * Outcomes that never blame the key: the network, TLS, a deadline, the server's load or failure, or
 * something in between answered. They are kept in a key's history and as its last attempt, but never
 * replace its last judgement.
 */
export const NON_JUDGEMENTS: readonly Verdict[] = ['throttled', 'server_error', 'intercepted', 'inconclusive', 'network_error', 'tls_error', 'timeout'];

/** True for a verdict that says something about the key (or where it is aimed), not about the path to the server. */
export function isJudgement(verdict: Verdict): boolean {
  return !NON_JUDGEMENTS.includes(verdict);
}

/** The verdicts a key may be judged with, in the order above. */
export const JUDGEMENTS: readonly Verdict[] = VERDICTS.filter(isJudgement);

/** The verdict as words for a person: `not_found` → `not found`. */
export function verdictWords(verdict: Verdict): string {
  return verdict.replaceAll('_', ' ');
}

/** Where a key stands: its last judgement, or one of the two states without one. */
export type JudgementState = Verdict | 'never-checked' | 'not-judged';

/**
 * A key's last judgement, or which state without one it is in: never checked at all, or checked
 * with outcomes that never judged it (a timeout, a 5xx).
 */
export function judgementState(lastJudgement: Verdict | null, lastAttemptAt: string | null): JudgementState {
  return lastJudgement ?? (lastAttemptAt === null ? 'never-checked' : 'not-judged');
}

/** A judgement state as words: `not_found` → `not found`, `not-judged` → `not judged yet`. */
export function judgementStateWords(state: JudgementState): string {
  return state === 'never-checked' ? 'never checked' : state === 'not-judged' ? 'not judged yet' : verdictWords(state);
}

/**
 * Exit code of `tkv check` for a verdict: 0 valid or authenticated, 10 unauthorized, 11 forbidden,
 * 13 inconclusive (the endpoint accepted a key that cannot exist, or could not be asked: nothing was learnt about the key),
 * 12 anything else.
 */
export function verdictExitCode(verdict: Verdict): number {
  if (verdict === 'valid' || verdict === 'authenticated') return 0;
  if (verdict === 'unauthorized') return 10;
  if (verdict === 'forbidden') return 11;
  if (verdict === 'inconclusive') return 13;
  return 12;
}
