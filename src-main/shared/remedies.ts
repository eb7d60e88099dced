/**
 * Advice as data. Core says what to do next as a remedy: a code and its parameters, never a command
 * line or a button. Each front door words it: `remedySentence` below is the plain sentence both use;
 * the CLI adds the command that does it (src-main/cli/remedies.ts), the app a button.
 * Runs anywhere.
 */
import type { KeyRef } from './contract.ts';

export type Remedy =
  /** Try every scope the catalogue can test, to see which the key has and lacks. */
  | { code: 'run-scope-matrix'; key: KeyRef }
  /** Check the key again with another probe. */
  /** `reads`: set for a high-risk probe, what it reads (personal data, signing secrets): run only knowingly. */
  | { code: 'check-with-probe'; key: KeyRef | null; probe: string; scope: string | null; reads?: string }
  /** Give the key a scope on the server (admin console or admin API). */
  | { code: 'grant-scope'; key: KeyRef | null; scope: string }
  /** The vault's declared scopes disagree with the server's: bring them in line. */
  | { code: 'update-declared-scopes'; key: KeyRef; scope: string }
  /** The key declares no scope the probes can test: declare its scopes, or add a probe for one. */
  | { code: 'declare-scopes'; key: KeyRef }
  | { code: 'add-probe'; scope: string | null }
  /**
   * This vault holds the very same key under another tenant or environment; or for this very tenant
   * id, but at another base URL (`baseUrl`, against `baseUrlHere`), or sent another way than its
   * entry sends it (`sentAs`, against `sentHere`).
   */
  | { code: 'key-held-elsewhere'; holder: KeyRef; tenantId: string; environment: string; sentAs?: string; sentHere?: string; baseUrl?: string; baseUrlHere?: string }
  /** This is an entry's earlier key, replaced by a rotation (and perhaps disabled or deleted since). */
  | { code: 'previous-key'; holder: KeyRef; remoteName: string; state: 'overlap' | 'disabled' | 'deleted'; replacedAt: string; retiredAt: string | null }
  /** The last server snapshot lists the key as disabled. */
  | { code: 'disabled-on-server'; remoteName: string; snapshotAt: string }
  /** The last server snapshot does not list the key at all. */
  | { code: 'missing-on-server'; remoteName: string; snapshotAt: string }
  /** The endpoint accepted a key that cannot exist (the negative control): its answers prove nothing about a key. */
  | { code: 'endpoint-accepts-any-key'; baseUrl: string; controlStatus: number }
  /** The admin API has no key of that name: it was deleted on the server. */
  /** `scopes`: the entry's declared scopes, for the new key that takes its place. */
  | { code: 'deleted-on-server'; key: KeyRef; remoteName: string; scopes: string[] }
  /** The admin API lists the key as disabled: enable it. */
  | { code: 'enable-on-server'; key: KeyRef; remoteName: string }
  /** The admin API lists the key enabled, yet it refused the stored secret: the token was changed elsewhere. */
  | { code: 'replace-secret'; key: KeyRef; remoteName: string; lastRotation: { at: string; previousName: string } | null }
  /** The admin API lists what the key holds, and not the scope the probe needed. */
  | { code: 'edit-server-permissions'; key: KeyRef; remoteName: string; holds: string[]; needs: string }
  /** The vault's declared scopes and the server's permissions for the key differ. */
  | { code: 'declared-scopes-differ'; key: KeyRef; declaredOnly: string[]; serverOnly: string[]; serverScopes: string[] }
  /** Without an admin credential the vault could not ask the server what became of the key. */
  | { code: 'server-word-needs-admin'; tenant: string; status: 401 | 403 }
  /** The key diagnosed is the tenant's only admin credential: it is never used to diagnose itself. */
  | { code: 'server-word-self'; tenant: string }
  /** The vendor has no admin API that could say what became of the key. */
  | { code: 'server-word-unavailable'; vendor: string; where: string }
  /** The vault does not know the key's name on the server: give it, so the key can be compared with the server's list. */
  | { code: 'link-server-name'; key: KeyRef; candidates: string[] }
  /** The vault records an expiry date that has passed. */
  | { code: 'key-expired'; expiresOn: string }
  /** Compare fingerprints: was the key copied whole? */
  | { code: 'compare-fingerprint'; fingerprint: string; key: KeyRef | null }
  /** Keys are tenant- and environment-scoped: check both. */
  | { code: 'check-tenant'; tenantId: string; baseUrl: string }
  | { code: 'check-key-enabled' }
  /** A 401 is never a missing scope. */
  | { code: 'not-a-scope-problem' }
  /** The login exchange (Airwallex-style) refused the key and client id. */
  | { code: 'check-login-credentials' }
  /** The probe names the key itself: its server name may differ from the vault's. */
  | { code: 'check-remote-name'; key: KeyRef | null; probe: string }
  | { code: 'wait-and-retry'; seconds: number | null }
  | { code: 'lower-concurrency' }
  | { code: 'retry-later'; traceId: string | null }
  /** Proxy variables, or a network that needs a proxy login. */
  | { code: 'check-proxy'; baseUrl: string }
  | { code: 'fix-base-url'; baseUrl: string; location: string | null }
  | { code: 'read-evidence' }
  | { code: 'trust-proxy-ca' }
  | { code: 'check-host-name'; baseUrl: string }
  | { code: 'check-network'; baseUrl: string; failure: string | null }
  | { code: 'raise-timeout' }
  // ---- what errors advise ----
  /** Store the tenant's admin credential: a key with tenant.apiKey:write marked admin, or a pasted OAuth token. */
  | { code: 'store-admin-credential'; tenant: string }
  /** A stored key of the tenant that declares admin scopes (`*`, `tenant.apiKey:…`), not marked as its admin credential. */
  | { code: 'mark-admin'; key: KeyRef; scopes: string[] }
  | { code: 'paste-bearer'; tenant: string }
  | { code: 'list-server-keys'; tenant: string }
  | { code: 'list-tenants' }
  | { code: 'list-keys'; tenant: string }
  /** Remove the tenant together with its keys (their keychain entries included). */
  | { code: 'remove-tenant-with-keys'; tenant: string }
  | { code: 'run-doctor' }
  /** Put a backup of the inventory back in place of the lost or damaged one. */
  | { code: 'restore-inventory'; backup: string; takenAt: string }
  /** No backup is left: the secrets are safe in the keychain, but which key is which must be told again. */
  | { code: 'rebuild-inventory'; service: string }
  | { code: 'run-reconcile' }
  | { code: 'start-rotation'; key: KeyRef }
  | { code: 'resume-rotation'; key: KeyRef }
  | { code: 'abort-rotation'; key: KeyRef }
  | { code: 'finish-rotation'; key: KeyRef }
  | { code: 'show-rotations' }
  /** Put the entry's new key where the integration reads it (reveal or copy it), then finish the rotation. */
  | { code: 'deploy-new-key'; key: KeyRef }
  /** An admin credential is rotated by hand: create a new admin key, mark it admin, delete the old one. */
  | { code: 'replace-admin-key'; key: KeyRef }
  | { code: 'choose-another-name' }
  /** A server key made by a creation whose answer (with its token) was lost: it serves nobody. */
  | { code: 'delete-orphan-server-key'; tenant: string; name: string }
  | { code: 'fix-keychain' }
  /** Check the key (its default probe). */
  | { code: 'check-key'; key: KeyRef }
  /** The server refused the tenant's admin key when the vault asked it about another key. */
  | { code: 'admin-key-refused'; key: KeyRef }
  /** The tenant's admin key authenticates, but the server denies it the admin API: it lacks `scope`. */
  | { code: 'admin-key-lacks-scope'; key: KeyRef; scope: string }
  /** The server's word could not be had (the admin API failing, no answer): ask again later. */
  | { code: 'ask-server-again'; key: KeyRef }
  /** Name who owns the key, so a reviewer knows whom to ask. */
  | { code: 'set-owner'; key: KeyRef }
  /** Read the key's use again (the vendor's logs, exec runs) before retiring it. */
  | { code: 'show-usage'; key: KeyRef }
  /** The vault has no listing of the tenant's server keys recent enough to compare with. */
  | { code: 'refresh-server-list'; tenant: string }
  /** A team: name who may read a key's secret (some members, every member, or nobody: its metadata only). */
  | { code: 'choose-team-readers'; key: KeyRef }
  /** A team: bring the team's changes in first. */
  | { code: 'pull-team' }
  /** A team: choose one of the versions of a key two changes left (the team's, or this vault's). */
  | { code: 'resolve-team-conflict'; key: KeyRef }
  /** A team: this vault is not a member yet; a member adds it with its public keys. */
  | { code: 'send-team-identity' }
  /** This vault is in no team: found one, or join one. */
  | { code: 'join-team' }
  /** This vault must leave its team first (its working copy and the keys it received stay). */
  | { code: 'leave-team' }
  /** A removed member comes back under a new identity, made in their vault once it is in no team. */
  | { code: 'new-team-identity' };

export type RemedyCode = Remedy['code'];

const ref = (key: KeyRef) => `${key.tenant}/${key.name}`;
const day = (iso: string) => iso.slice(0, 10);

/** The remedy as one plain sentence, naming no command line and no button. */
export function remedySentence(remedy: Remedy): string {
  switch (remedy.code) {
    case 'run-scope-matrix':
      return `Run the scope matrix of ${ref(remedy.key)} to see every scope it has and lacks.`;
    case 'check-with-probe':
      if (remedy.reads) return `If you accept what it reads (${remedy.reads}), check ${remedy.key ? ref(remedy.key) : 'the key'} with the high-risk ${remedy.probe} probe${remedy.scope ? `, which needs \`${remedy.scope}\`` : ''}.`;
      return `Check ${remedy.key ? ref(remedy.key) : 'the key'} with the ${remedy.probe} probe${remedy.scope ? ` (it needs \`${remedy.scope}\`)` : ''}.`;
    case 'grant-scope':
      return `Grant \`${remedy.scope}\` to ${remedy.key ? ref(remedy.key) : 'the key'} on the server (admin console or admin API), or use a key that has it.`;
    case 'update-declared-scopes':
      return `The vault lists \`${remedy.scope}\` among ${ref(remedy.key)}'s scopes, but the server does not grant it: either the key's permissions changed on the server, or the declared scopes were never right. Grant the scope on the server, or update the declared scopes.`;
    case 'declare-scopes':
      return `Declare ${ref(remedy.key)}'s scopes, so that its checks test one of them.`;
    case 'add-probe':
      return `Add a probe of your own (a harmless GET) for ${remedy.scope ? `\`${remedy.scope}\`` : 'one of its scopes'}.`;
    case 'key-held-elsewhere':
      if (remedy.baseUrl) return `This vault holds this very key as ${ref(remedy.holder)}, for this same tenant id (${remedy.tenantId}) at ${remedy.baseUrl}; this check went to ${remedy.baseUrlHere ?? 'another base URL'}. Check the base URL given (a path such as /api given twice is a common slip), or check the entry itself.`;
      if (remedy.sentAs) return `This vault holds this very key as ${ref(remedy.holder)}, for this same tenant (${remedy.tenantId}, ${remedy.environment}), sent in ${remedy.sentAs}; this check sent it in ${remedy.sentHere ?? 'another way'}. Check it the way its entry sends it.`;
      return `This vault holds this very key as ${ref(remedy.holder)} — tenant ${remedy.tenantId}, ${remedy.environment}. A key works for one tenant and environment only: use it there, or use this tenant's own key.`;
    case 'previous-key': {
      const fate = remedy.state === 'overlap' ? 'still kept for the overlap' : `${remedy.state}${remedy.retiredAt ? ` on ${day(remedy.retiredAt)}` : ''}`;
      return `This is ${ref(remedy.holder)}'s previous key ("${remedy.remoteName}"), replaced by the rotation on ${day(remedy.replacedAt)} and ${fate}. Use the entry's current key.`;
    }
    case 'disabled-on-server':
      return `The server listed "${remedy.remoteName}" as disabled on ${day(remedy.snapshotAt)}: enable it, or use another key.`;
    case 'missing-on-server':
      return `The server's list of ${day(remedy.snapshotAt)} has no key "${remedy.remoteName}": it may have been deleted.`;
    case 'endpoint-accepts-any-key':
      return `${remedy.baseUrl} answered ${remedy.controlStatus}${remedy.controlStatus === 403 ? ', not 401,' : ''} to a key that was never issued, so its answers say nothing about any key. Likely causes: a proxy or gateway answering in the API's place, a mock server, a base URL that is not the API, or an endpoint that does not authenticate. Compare the base URL with the vendor's documentation, retry from a network without the proxy, and check again.`;
    case 'deleted-on-server':
      return `The server has no key "${remedy.remoteName}" any more: it was deleted there, and its token will never work again. Create a new key in its place, under a new entry (its token goes straight into the vault), move what used ${ref(remedy.key)} to it, then remove the old entry (its history goes with it).`;
    case 'enable-on-server':
      return `The server lists "${remedy.remoteName}" as disabled: enable it, and ${ref(remedy.key)} works again with the token the vault holds.`;
    case 'replace-secret': {
      const rotation = remedy.lastRotation ? ` The vault's own last rotation of this entry was on ${day(remedy.lastRotation.at)} (from "${remedy.lastRotation.previousName}"); the token changed after it, outside the vault.` : '';
      return `The server lists "${remedy.remoteName}" as enabled, yet refuses the secret the vault holds: the key's token was regenerated or rotated elsewhere. Replace ${ref(remedy.key)}'s secret with the current token, from whoever changed it.${rotation}`;
    }
    case 'edit-server-permissions':
      return `The server lists "${remedy.remoteName}" with ${remedy.holds.length ? remedy.holds.map((scope) => `\`${scope}\``).join(', ') : 'no permission'}; this probe needs \`${remedy.needs}\`. Add it to the key's permissions on the server, or use a key that holds it.`;
    case 'declared-scopes-differ': {
      const parts = [
        ...(remedy.declaredOnly.length ? [`declares ${remedy.declaredOnly.map((scope) => `\`${scope}\``).join(', ')}, which the server does not list`] : []),
        ...(remedy.serverOnly.length ? [`does not declare ${remedy.serverOnly.map((scope) => `\`${scope}\``).join(', ')}, which the server lists`] : []),
      ];
      // It follows edit-server-permissions: the other way to settle the same disagreement, not a second step.
      return `Or, if the server's permissions are the intended ones: the vault's entry ${ref(remedy.key)} ${parts.join(', and ')}; bring its declared scopes in line with the server's instead.`;
    }
    case 'server-word-needs-admin':
      return `With an admin credential for ${remedy.tenant} (a key marked admin, or an OAuth bearer token), the vault would have asked the server ${remedy.status === 401 ? 'whether this key was deleted, disabled, or given a new token elsewhere' : 'which permissions it lists for this key'}.`;
    case 'server-word-self':
      return `This key is ${remedy.tenant}'s only admin credential, and a key is never used to diagnose itself: look it up in the admin console, or store an OAuth bearer token for ${remedy.tenant} so the vault can ask.`;
    case 'server-word-unavailable':
      return `${remedy.vendor}'s API cannot say whether a key was revoked or regenerated. ${remedy.where}`;
    case 'link-server-name':
      return `Give ${ref(remedy.key)}'s name on the server, so the vault can compare it with the server's list${remedy.candidates.length ? ` (the server lists ${remedy.candidates.map((name) => `"${name}"`).join(', ')}, which no entry is linked to)` : ''}.`;
    case 'key-expired':
      return `The vault records that this key expired on ${remedy.expiresOn}.`;
    case 'compare-fingerprint':
      return remedy.key
        ? `Check that ${ref(remedy.key)} holds the key you meant: its fingerprint is ${remedy.fingerprint}; a key deployed elsewhere with another fingerprint is another key.`
        : `Check that the key was copied whole: its fingerprint is ${remedy.fingerprint}; the vault's keys show theirs.`;
    case 'check-tenant':
      return `Check the tenant id "${remedy.tenantId}" (case-sensitive) and the environment (${remedy.baseUrl}): keys are tenant- and environment-scoped.`;
    case 'check-key-enabled':
      return 'Check in the admin console that the key still exists and is enabled; a revoked or disabled key answers 401.';
    case 'not-a-scope-problem':
      return 'A 401 never means a missing scope — that would be a 403.';
    case 'check-login-credentials':
      return 'The login exchange refused the API key and client id: check both, and that the key was not regenerated.';
    case 'check-remote-name':
      return `The ${remedy.probe} probe names the key itself: its name on the server may differ from the vault's — set the server's name, or check with the config probe.`;
    case 'wait-and-retry':
      return remedy.seconds !== null ? `Wait ${remedy.seconds} s, then check again.` : 'Wait a minute, then check again.';
    case 'lower-concurrency':
      return 'For bulk checks, run fewer at once.';
    case 'retry-later':
      return `Retry in a few minutes; if it persists, check the vendor's status page or contact its support with the request line and time${remedy.traceId ? ` and the trace id ${remedy.traceId}` : ''}.`;
    case 'check-proxy':
      return `A proxy, firewall or single sign-on gateway answered instead of the API: check HTTPS_PROXY / NO_PROXY and whether the network needs a proxy login, or retry from a network that reaches ${remedy.baseUrl} directly.`;
    case 'fix-base-url':
      return `The base URL ${remedy.baseUrl} is probably not the API itself (http instead of https, a missing or extra path, or a login page)${remedy.location ? `; it pointed to ${remedy.location}` : ''}. Correct it to the API's origin, if you trust where it pointed.`;
    case 'read-evidence':
      return "Read the response's headers and body excerpt in the report, and check the base URL and probe path.";
    case 'trust-proxy-ca':
      return "If an intercepting proxy is in the way, ask IT for its CA certificate (PEM) and trust it (or set NODE_EXTRA_CA_CERTS).";
    case 'check-host-name':
      return `If the host name does not match the certificate, check the base URL ${remedy.baseUrl}.`;
    case 'check-network':
      return `Check the base URL (${remedy.baseUrl}), DNS, VPN and proxy settings (HTTPS_PROXY / NO_PROXY), then retry.`;
    case 'raise-timeout':
      return 'Check the network path to the server (VPN, proxy, firewall) and retry; allow a longer timeout on a slow link.';
    case 'mark-admin':
      return `${ref(remedy.key)} is stored${remedy.scopes.length > 0 ? ` and declares ${remedy.scopes.map((scope) => `\`${scope}\``).join(', ')}` : ''}: mark it as ${remedy.key.tenant}'s admin credential (no new key needed).`;
    case 'store-admin-credential':
      return `Store ${remedy.tenant}'s admin credential: a key with \`tenant.apiKey:write\` marked as admin, or an OAuth access token.`;
    case 'paste-bearer':
      return `Paste a fresh OAuth access token for ${remedy.tenant}'s admin calls.`;
    case 'list-server-keys':
      return `List ${remedy.tenant}'s keys on the server to see their names.`;
    case 'list-tenants':
      return 'List the tenants in the vault.';
    case 'list-keys':
      return `List ${remedy.tenant}'s keys.`;
    case 'remove-tenant-with-keys':
      return `Remove ${remedy.tenant}'s keys first, or remove the tenant together with its keys (their keychain entries too).`;
    case 'restore-inventory':
      return `Restore the inventory from its backup of ${remedy.takenAt.slice(0, 16).replace('T', ' ')} UTC, taken before the loss (the current file is kept aside, not deleted).`;
    case 'rebuild-inventory':
      return `No backup of the inventory is left. The secrets are safe in the keychain (service "${remedy.service}"): add each key again from where it is used, and keep the keychain entries until every key is back.`;
    case 'run-doctor':
      return "Run the vault's health check (keychain, data directory, schema).";
    case 'run-reconcile':
      return 'Compare the keychain with the inventory to find stray entries.';
    case 'start-rotation':
      return `Start a rotation of ${ref(remedy.key)}.`;
    case 'resume-rotation':
      return `Resume the rotation of ${ref(remedy.key)}: it carries on from its last recorded step.`;
    case 'abort-rotation':
      return `Abort the rotation of ${ref(remedy.key)}: the entry keeps (or gets back) its old key and the new one is deleted.`;
    case 'finish-rotation':
      return `Finish the rotation of ${ref(remedy.key)}: the old key is disabled (or deleted).`;
    case 'show-rotations':
      return 'Look at the rotations in progress.';
    case 'deploy-new-key':
      return `Deploy ${ref(remedy.key)}'s new key wherever the old one is used, then finish the rotation; both keys work until then. Revoke the old key once logs confirm the new key is used everywhere.`;
    case 'replace-admin-key':
      return `Rotate ${ref(remedy.key)} by hand: create a new key with the same permissions, mark it as the tenant's admin credential, then delete this one.`;
    case 'delete-orphan-server-key':
      return `Delete "${remedy.name}" on ${remedy.tenant}'s server: its token was shown once, in the answer that was lost, and is gone for good. Then create the key again.`;
    case 'choose-another-name':
      return 'Choose another name.';
    case 'fix-keychain':
      return 'Make the OS keychain answer (unlock it), then retry.';
    case 'check-key':
      return `Check ${ref(remedy.key)} now.`;
    case 'admin-key-refused':
      return `The server refused ${remedy.key.tenant}'s admin key, ${ref(remedy.key)}: check it (its own verdict says why), then give it a working token, or mark another key as the admin credential.`;
    case 'admin-key-lacks-scope':
      return `${remedy.key.tenant}'s admin key, ${ref(remedy.key)}, authenticates, but the server denies it the admin API: it lacks \`${remedy.scope}\`. Grant that permission to its server key (in the vendor's admin console, or with another admin credential), or mark another key as ${remedy.key.tenant}'s admin credential.`;
    case 'ask-server-again':
      return `The admin API did not answer this time: check ${ref(remedy.key)} again later for the server's word on it. The key's own answer above stands.`;
    case 'set-owner':
      return `Record who owns ${ref(remedy.key)}.`;
    case 'show-usage':
      return `Read ${ref(remedy.key)}'s use in the vendor's logs again; if nothing uses it, disable it on the server, then remove it.`;
    case 'refresh-server-list':
      return `List ${remedy.tenant}'s keys on the server again, so the comparison is current.`;
    case 'choose-team-readers':
      return `Name who may read ${ref(remedy.key)}'s secret: some members, every member, or nobody (its metadata only, for reviewers).`;
    case 'pull-team':
      return "Pull the team's changes first: they are verified and merged, then this change can follow.";
    case 'resolve-team-conflict':
      return `Choose one version of ${ref(remedy.key)}: one of the team's, or this vault's; it becomes the team's.`;
    case 'send-team-identity':
      return "Send this vault's two public keys (its team identity) to a member: they add it, then pull.";
    case 'join-team':
      return 'Found a team, or join one from its working copy or its git remote.';
    case 'leave-team':
      return 'Leave the team: this vault stops pulling from it; its working copy and the keys it received stay.';
    case 'new-team-identity':
      return 'Make a new team identity once the vault is in no team, send its two public keys to a member, and once they have added you, join again: the old keys stay refused.';
  }
}
