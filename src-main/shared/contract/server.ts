/**
 * A tenant's keys on the vendor's server, beside the vault's: listing with drift, the permission
 * catalogue, create/update/delete, the admin credential in use, and the one show-once rescue.
 */
import type { ErrorInfo } from '../errors.ts';
import type { ScopeArea } from '../scopes.ts';
import { channel } from './channel.ts';
import type { KeyRef, KeySummary } from './keys.ts';

/** A server key, and the vault entry that uses it (if any). */
export interface ServerKey {
  name: string;
  enabled: boolean;
  permissions: string[];
  local: {
    ref: KeyRef;
    /** The entry's current key, the one it used before a rotation, or the one a rotation is creating. */
    role: 'current' | 'previous' | 'rotating';
    /** The keychain holds this server key's secret. */
    hasSecret: boolean;
    declaredScopes: string[];
    permissionsDiffer: boolean;
    /** The vault believes the key enabled (or disabled) and the server says otherwise. */
    enabledDiffers: boolean;
  } | null;
}

/** A listing of the server's keys: taken now, or the last snapshot when the server cannot be reached. */
export interface ServerListing {
  tenant: string;
  takenAt: string;
  /** Which credential listed them, for a person ("admin key demo/sandbox-admin"). */
  credential: string;
  keys: ServerKey[];
  /** Vault entries whose server key (its name known) the server no longer lists. */
  missingOnServer: { ref: KeyRef; remoteName: string }[];
  /** Vault entries whose name on the server is not known, and that the server does not list under their own name. */
  notLinked: KeyRef[];
  /** Keys a creation made whose answer (with the token) was lost: live, and nobody holds their token. */
  orphaned: { name: string; since: string }[];
}

/** The tenant's admin credential: what the app uses to manage its keys on the server. */
export type AdminCredentialInfo =
  | { kind: 'api-key'; key: KeyRef }
  | { kind: 'bearer'; setAt: string | null; expiresAt: string | null; expired: boolean }
  | { kind: 'none' };

export interface ServerKeysView {
  tenant: string;
  /** True when listed from the server now; false for the last snapshot (or none). */
  live: boolean;
  /** Why the server could not be listed now. */
  error: ErrorInfo | null;
  /**
   * Why the listing is not live, in a word: no admin credential to list with, a bearer token past its
   * expiry, a credential the server turned down, or no answer from the server. Null when live.
   */
  notLive: 'no-credential' | 'token-expired' | 'refused' | 'unreachable' | null;
  listing: ServerListing | null;
  credential: AdminCredentialInfo;
}

/** What uses a scope: the probes and endpoints known to need it, so the least privilege is visible. */
export interface ScopeUse {
  method: string;
  path: string;
  /** The probe's id when it is one. */
  probe: string | null;
}

export interface PermissionCatalogueView {
  /** From the server's `admin/permissions`, or the publicly known table when it cannot be read. */
  source: 'server' | 'known';
  reason: string | null;
  areas: ScopeArea[];
  uses: Record<string, ScopeUse[]>;
}

export interface ServerKeyInput {
  tenant: string;
  name: string;
  /** The permissions, or another server key of the tenant to copy them from (`duplicate`). */
  permissions?: string[];
  like?: string;
  enabled: boolean;
}

export type ServerCreateResult =
  | { stored: true; key: KeySummary }
  /** The keychain failed after the server created the key: its token waits under `rescueId`, to be shown once. */
  | { stored: false; rescueId: string; remoteName: string; fingerprint: string; reason: string };

/** A token the server showed once that the keychain refused: held in the main process until the person closes it. */
export interface UnsavedTokenView {
  id: string;
  key: KeyRef;
  remoteName: string;
  fingerprint: string;
  reason: string;
  /** The secret itself: the one place besides an explicit reveal where one reaches the renderer. */
  token: string;
}

export const serverChannels = {
  /** Lists the server's keys now (a snapshot is kept), or returns the last snapshot when offline. */
  'server:list': channel<{ tenant: string }, ServerKeysView>(),
  'server:permissions': channel<{ tenant: string }, PermissionCatalogueView>(),
  /** Creates a key on the server; its token goes straight to the keychain under the same name. */
  'server:create': channel<ServerKeyInput, ServerCreateResult>(),
  'server:update': channel<{ tenant: string; name: string; enabled?: boolean; permissions?: string[] }, Omit<ServerKey, 'local'>>(),
  /** Deletes the server key (integrations using it stop at once), and the vault's entry with it. */
  'server:delete': channel<{ tenant: string; name: string }, { removedLocal: boolean }>(),
  /** Keeps a pasted OAuth bearer token as the tenant's admin credential. */
  'server:set-bearer': channel<{ tenant: string; token: string; expiresAt: string | null }, AdminCredentialInfo>(),
  /** Tokens waiting to be shown once (after a keychain failure). */
  'server:unsaved': channel<void, UnsavedTokenView[]>(),
  /** Copies a waiting token in the main process; the clipboard clears itself. */
  'server:copy-unsaved': channel<{ id: string }, { copied: true }>(),
  /** The person closed the dialog: the token is forgotten. */
  'server:forget-unsaved': channel<{ id: string }, { forgotten: boolean }>(),
};
