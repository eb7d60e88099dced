/**
 * How the app shows a verdict: its word, its colour (a tone) and its icon, and one line saying what
 * it means. A 401 and a 403 never look alike: the word, the icon and the colour each differ, so no
 * one has to tell red from amber. Outcomes that say nothing about the key (the network, a timeout,
 * throttling…) are grey, and the two ways a key can have no judgement are told apart:
 * "never checked" (no attempt ever) and "not judged yet" (attempts, none of which could judge it).
 */
import type { Verdict } from '../../src-main/shared/verdicts.ts';

/** good · unauthorized (401) · forbidden (403) · aim (where the key is sent) · neutral (not about the key) · none (no judgement). */
export type Tone = 'good' | 'unauthorized' | 'forbidden' | 'aim' | 'neutral' | 'none';
export type VerdictIcon = 'check' | 'cross' | 'lock' | 'aim' | 'cloud' | 'circle' | 'dashed';

export interface VerdictLook {
  word: string;
  tone: Tone;
  icon: VerdictIcon;
  /** One sentence: what it means for the key. */
  meaning: string;
}

const look = (word: string, tone: Tone, icon: VerdictIcon, meaning: string): VerdictLook => ({ word, tone, icon, meaning });
const NOT_KEY = ': this says nothing about the key.';

const LOOKS: Record<Verdict, VerdictLook> = {
  valid: look('valid', 'good', 'check', 'The key authenticates and holds the scope the probe needs.'),
  authenticated: look('authenticated', 'good', 'check', 'The key authenticates; none of its declared scopes could be tested.'),
  unauthorized: look('unauthorized', 'unauthorized', 'cross', '401: the key is missing, invalid, revoked or disabled, or belongs to another tenant or environment.'),
  forbidden: look('forbidden', 'forbidden', 'lock', '403: the key is valid but lacks the scope this call needs.'),
  not_found: look('not found', 'aim', 'aim', '404: the tenant id or the base URL is most likely wrong.'),
  redirected: look('redirected', 'aim', 'aim', 'The server sent the call elsewhere (not followed): the base URL is most likely wrong.'),
  unexpected_status: look('unexpected', 'aim', 'aim', 'The server answered with a status no probe expects.'),
  throttled: look('throttled', 'neutral', 'cloud', `The server asked to slow down (429)${NOT_KEY}`),
  server_error: look('server error', 'neutral', 'cloud', `The server failed (5xx)${NOT_KEY}`),
  intercepted: look('intercepted', 'neutral', 'cloud', `A proxy, gateway or firewall answered, not the API${NOT_KEY}`),
  inconclusive: look('inconclusive', 'neutral', 'cloud', `Nothing confirmed that the endpoint refuses a key that cannot exist (a gateway, a mock, not the API, or it failed)${NOT_KEY}`),
  network_error: look('network error', 'neutral', 'cloud', `The server could not be reached${NOT_KEY}`),
  tls_error: look('TLS error', 'neutral', 'cloud', `The secure connection failed${NOT_KEY}`),
  timeout: look('timed out', 'neutral', 'cloud', `The server did not answer in time${NOT_KEY}`),
};

export const NEVER_CHECKED = look('never checked', 'none', 'circle', 'No check has ever been run on this key.');
export const NOT_JUDGED = look('not judged yet', 'none', 'dashed', 'Checked, but no answer could judge the key (the network, a timeout, throttling…): nothing is known about the key yet.');
/** Both of the above at once: what the judgement filter and the review's chart count together. */
export const WITHOUT_JUDGEMENT = look('no judgement', 'none', 'dashed', 'Never checked, or checked without an answer that could judge the key (not judged yet).');

export function verdictLook(verdict: Verdict): VerdictLook {
  return LOOKS[verdict];
}

/** The word the app uses for a verdict ("not found", "timed out"). */
export function verdictWord(verdict: Verdict): string {
  return LOOKS[verdict].word;
}

/** A key's standing: its last judgement, else whether it was never checked or not judged yet. */
export function standing(key: { lastJudgement: Verdict | null; lastAttempt: Verdict | null }): VerdictLook {
  return key.lastJudgement ? LOOKS[key.lastJudgement] : key.lastAttempt ? NOT_JUDGED : NEVER_CHECKED;
}
