/**
 * The one IPC contract: every channel's input and output, and every main-to-renderer event.
 * The renderer imports this file with `import type` only; the main side pairs each channel with a
 * schema (src-main/ipc/schemas.ts) and the compiler checks that they agree. Runs anywhere.
 */
import type { Result } from './errors.ts';
import type { Environment } from './rules.ts';
import type { Verdict } from './verdicts.ts';

export type Provider = 'wallet-crew';

/** A tenant as the vault lists it. */
export interface Tenant {
  alias: string;
  tenantId: string;
  environment: Environment;
  baseUrl: string;
  provider: Provider;
  label: string | null;
  createdAt: string;
  keyCount: number;
}

/** A stored key's metadata. Never the secret: only its fingerprint. */
export interface KeySummary {
  /** Stable id of the entry. */
  id: string;
  tenant: string;
  name: string;
  scopes: string[];
  enabled: boolean;
  admin: boolean;
  /** Short SHA-256 prefix of the token: enough to match, useless to an attacker. */
  fingerprint: string;
  createdAt: string;
  rotatedAt: string | null;
  /** `YYYY-MM-DD`, or null when the key does not expire. */
  expiresOn: string | null;
  /** True when `expiresOn` has passed. */
  expired: boolean;
  notes: string | null;
  owner: string | null;
  /** The last verdict that judged the key (outcomes that never blame it do not replace it), and when. */
  lastJudgement: Verdict | null;
  lastJudgedAt: string | null;
  /** The last check's verdict, whatever it was (a network error, say), and when: the last time it was checked. */
  lastAttempt: Verdict | null;
  lastAttemptAt: string | null;
  /** The server's name of the key the entry uses now: its own name unless created or rotated otherwise. */
  remoteName: string;
  /** The keychain account that holds the secret in use (it changes when a rotation switches keys). */
  secretAccount: string;
}

export interface NewTenantInput {
  alias: string;
  tenantId: string;
  environment: Environment;
  /** Required when `environment` is `custom`; must be omitted otherwise. */
  baseUrl?: string;
  label?: string;
}

export interface KeyRef {
  tenant: string;
  name: string;
}

export interface NewKeyInput extends KeyRef {
  /** Travels renderer → main only; no channel sends it back except `keys:reveal`. */
  secret: string;
  scopes?: string[];
  notes?: string;
  expiresOn?: string;
  owner?: string;
  admin?: boolean;
}

/** What `reconcile` found; nothing is deleted by it. */
export interface ReconcileReport {
  /** Keychain entries of this vault's service that no key row points to. */
  orphanSecrets: { account: string }[];
  /** Key rows whose keychain entry is gone. */
  missingSecrets: (KeyRef & { id: string })[];
  checkedKeys: number;
}

export interface AppInfo {
  version: string;
  schemaVersion: number;
  dataDir: string;
  keychainService: string;
  platform: string;
}

/** Channel name → input and output. Channels are named `domain:verb`. */
export interface Contract {
  'app:info': { input: void; output: AppInfo };
  'tenants:list': { input: void; output: Tenant[] };
  'tenants:add': { input: NewTenantInput; output: Tenant };
  'tenants:remove': { input: { alias: string; withKeys?: boolean }; output: { removedKeys: number } };
  'keys:list': { input: { tenant?: string }; output: KeySummary[] };
  'keys:add': { input: NewKeyInput; output: KeySummary };
  /** The one explicit reveal: returns the secret, and is audited. */
  'keys:reveal': { input: KeyRef; output: { secret: string } };
  'keys:remove': { input: KeyRef; output: { removed: KeyRef } };
  'vault:reconcile': { input: void; output: ReconcileReport };
}

export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = Contract[C]['input'];
export type ChannelOutput<C extends Channel> = Contract[C]['output'];

/** Events sent from main to renderer. */
export interface Events {
  /** The vault's tenants or keys changed; the renderer reloads what it shows. */
  'vault:changed': { reason: string };
}

export type EventName = keyof Events;

// Records keyed by the contract, so that adding a channel without listing it fails to compile.
const channelRecord: Record<Channel, true> = {
  'app:info': true,
  'tenants:list': true,
  'tenants:add': true,
  'tenants:remove': true,
  'keys:list': true,
  'keys:add': true,
  'keys:reveal': true,
  'keys:remove': true,
  'vault:reconcile': true,
};
const eventRecord: Record<EventName, true> = { 'vault:changed': true };

/** Every channel, in a fixed order; the preload exposes exactly these. */
export const CHANNELS = Object.keys(channelRecord) as Channel[];
/** Every event name the renderer may subscribe to. */
export const EVENT_NAMES = Object.keys(eventRecord) as EventName[];

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type DomainOf<C> = C extends `${infer D}:${string}` ? D : never;
type Invoker<C extends Channel> = ChannelInput<C> extends void
  ? () => Promise<Result<ChannelOutput<C>>>
  : (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;

/**
 * `window.api`: one function per channel, grouped by domain (`api.keys.list(...)` for `keys:list`,
 * `api.admin.createKey(...)` for `admin:create-key`), plus `on` for events.
 */
export type Api = {
  [D in DomainOf<Channel>]: {
    [C in Channel as C extends `${D}:${infer Verb}` ? CamelCase<Verb> : never]: Invoker<C>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};
