/**
 * The one IPC contract, grown by domain (contract/<domain>.ts): every channel's input and output,
 * and every main-to-renderer event. A channel is one entry in its domain's record here, and one entry
 * (its schema and its handler) in src-main/ipc/<domain>.ipc.ts; the compiler checks that they agree.
 * The renderer imports this file with `import type` only. Runs anywhere.
 */
import type { Result } from './errors.ts';
import { appChannels } from './contract/app.ts';
import type { ChannelSpec } from './contract/channel.ts';
import { checksChannels } from './contract/checks.ts';
import { jobsChannels, type JobEvents } from './contract/jobs.ts';
import { keysChannels, type KeyEvents } from './contract/keys.ts';
import { reviewChannels } from './contract/review.ts';
import { rotationsChannels } from './contract/rotations.ts';
import { sandboxChannels } from './contract/sandbox.ts';
import { serverChannels } from './contract/server.ts';
import { tenantsChannels } from './contract/tenants.ts';
import { usageChannels } from './contract/usage.ts';
import { teamChannels } from './contract/team.ts';
import { watchChannels } from './contract/watch.ts';

export type { AppInfo } from './contract/app.ts';
export type { Provider, Tenant, NewTenantInput } from './contract/tenants.ts';
export type { ClipboardClearState, KeyDetail, KeyEdit, KeyPage, KeyQuery, KeyRef, KeySort, KeySortColumn, KeySummary, NewKeyInput, ReconcileReport } from './contract/keys.ts';
export { KEY_SORT_COLUMNS } from './contract/keys.ts';
export type { BulkJobView, BulkProgressView, CheckView, PastedKeyInput, ProbeInfo } from './contract/checks.ts';
export type { JobEvents, JobKind, JobState, JobView } from './contract/jobs.ts';
export type { AdminCredentialInfo, PermissionCatalogueView, ScopeUse, ServerCreateResult, ServerKey, ServerKeyInput, ServerKeysView, ServerListing, UnsavedTokenView } from './contract/server.ts';
export type { RetireMode, RotationJobView, RotationJournalEntry, RotationPlan, RotationProgress, RotationState, RotationStatus, RotationWithJournal } from './contract/rotations.ts';
export type { SandboxStatusView } from './contract/sandbox.ts';
export type { AuditQuery, AuditRecord, AuditVerdict, ChartBar, ExportFormat, Flag, FlagCode, ReviewChanges, ReviewCharts, ReviewedKey, ReviewQuery, ReviewReport, ReviewSettings, ReviewSummary, Severity, SignOff, VaultFinding } from './contract/review.ts';
export { AUDIT_ACTIONS_SHOWN, FLAG_CODES, SEVERITIES } from './contract/review.ts';
export type { Attention, WatchItem, WatchSettings, WatchStatus } from './contract/watch.ts';
export type { PullReport, RefusedChange, RemoveMemberReport, ShareInput, SharedKey, SharedKeyState, SharedTenant, SharedVersion, TeamIdentity, TeamInventory, TeamInventoryRow, TeamMember, TeamStatus } from './contract/team.ts';
export type { InsightsEvidence, KeyUsage, OverlapUsage, UsageColumns, UsageSettings, VaultEvidence } from './usage.ts';

const ALL_CHANNELS = { ...appChannels, ...tenantsChannels, ...keysChannels, ...checksChannels, ...jobsChannels, ...serverChannels, ...rotationsChannels, ...sandboxChannels, ...reviewChannels, ...usageChannels, ...watchChannels, ...teamChannels };

/** Channel name → input and output. Channels are named `domain:verb`. */
export type Contract = {
  [C in keyof typeof ALL_CHANNELS]: (typeof ALL_CHANNELS)[C] extends ChannelSpec<infer I, infer O> ? { input: I; output: O } : never;
};

export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = Contract[C]['input'];
export type ChannelOutput<C extends Channel> = Contract[C]['output'];

/** Events sent from main to renderer. */
export interface Events extends JobEvents, KeyEvents {
  /** The vault's tenants or keys changed; the renderer reloads what it shows. */
  'vault:changed': { reason: string };
  /** A notification of the watch was clicked: the window shows the Watch screen. */
  'watch:open': Record<string, never>;
}

export type EventName = keyof Events;

const eventRecord: Record<EventName, true> = { 'vault:changed': true, 'jobs:progress': true, 'jobs:done': true, 'clipboard:cleared': true, 'watch:open': true };

/** Every channel, in a fixed order; the preload exposes exactly these. */
export const CHANNELS = Object.keys(ALL_CHANNELS) as Channel[];
/** Every event name the renderer may subscribe to. */
export const EVENT_NAMES = Object.keys(eventRecord) as EventName[];

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type DomainOf<C> = C extends `${infer D}:${string}` ? D : never;
type Invoker<C extends Channel> = ChannelInput<C> extends void
  ? () => Promise<Result<ChannelOutput<C>>>
  : (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;

/**
 * `window.api`: one function per channel, grouped by domain (`api.keys.page(...)` for `keys:page`,
 * `api.checks.startBulk(...)` for `checks:start-bulk`), plus `on` for events.
 */
export type Api = {
  [D in DomainOf<Channel>]: {
    [C in Channel as C extends `${D}:${infer Verb}` ? CamelCase<Verb> : never]: Invoker<C>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};
