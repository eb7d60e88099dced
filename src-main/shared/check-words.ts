/**
 * The words every front door uses for the two witnesses a check calls beside the key's own answer:
 * the negative control and the server's word. The CLI prints them, the report carries them, the
 * app's verdict card shows them. Runs anywhere.
 */
import type { ControlOutcome, ServerWord } from './check.ts';

const list = (values: readonly string[]) => (values.length ? values.map((value) => `\`${value}\``).join(', ') : 'no permission');

/** What a control that could not be run got, and how often it was sent: "429, 3 tries". */
export function controlFailure(control: ControlOutcome): string {
  return `${control.status ?? control.failure ?? 'no answer'}${control.tries && control.tries > 1 ? `, ${control.tries} tries` : ''}`;
}

/** The negative control in one line: what a key that was never issued got here, and what that means. */
export function controlWords(control: ControlOutcome): string {
  const reused = control.reused ? (control.state === 'failed' ? ' (sent for an earlier check of this run, a moment ago)' : ' (sent for an earlier check, and still standing)') : '';
  switch (control.state) {
    case 'refused':
      return `a key that was never issued got ${control.status ?? 401}: the endpoint tells keys apart${reused}.`;
    case 'accepted':
      return control.status === 403
        ? `a key that was never issued got 403, not 401: the endpoint does not tell an unknown key from one that lacks a scope, so its answers prove nothing${reused}.`
        : `a key that was never issued got ${control.status ?? 200}: the endpoint accepts any key, so its answers prove nothing${reused}.`;
    case 'failed':
      return `could not be run (${controlFailure(control)}): nothing confirms that the endpoint refuses a key that cannot exist, so a success or a 403 proves nothing${reused}.`;
  }
}

/** The server's word in one line: what its admin API said of the key, or why it was not asked. */
export function serverWords(word: ServerWord): string {
  switch (word.state) {
    case 'deleted':
      return `no key "${word.remoteName}" on the server (asked with the ${word.credential}).`;
    case 'disabled':
      return `"${word.remoteName}" is disabled, with ${list(word.permissions)} (asked with the ${word.credential}).`;
    case 'enabled':
      return `"${word.remoteName}" is enabled, with ${list(word.permissions)} (asked with the ${word.credential}).`;
    case 'unlinked':
      return "the server has no key of this entry's name, and the vault does not know the key's own name there: link it to tell.";
    case 'no-credential':
      return `not asked: ${word.tenant} has no admin credential.`;
    case 'self':
      return `not asked: this key is ${word.tenant}'s only admin credential.`;
    case 'no-admin-api':
      return `not asked: ${word.vendor} has no admin API for keys.`;
    case 'failed':
      return `the lookup failed: ${word.reason.replace(/\.$/, '')}.`;
  }
}
