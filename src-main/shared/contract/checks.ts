/** Checking keys: one stored key, a pasted key, a scope matrix, and every key as a job. */
import type { BulkSummary, CheckResult, ProbeRisk, ScopeMatrix } from '../check.ts';
import type { Verdict } from '../verdicts.ts';
import { channel } from './channel.ts';
import type { JobView } from './jobs.ts';
import type { KeyRef } from './keys.ts';

/** A probe as a person chooses one. */
export interface ProbeInfo {
  id: string;
  method: string;
  path: string;
  scope: string | null;
  risk: ProbeRisk;
  description: string;
  custom: boolean;
}

/** One finished check: its result, kept in the main process under `id` for a report to be copied. */
export interface CheckView {
  id: string;
  at: string;
  /** The stored key checked; null for a pasted key. */
  key: KeyRef | null;
  /** `demo/crm`, or `demo at https://…` for a pasted key. */
  label: string;
  result: CheckResult;
}

/** A key that is not stored, pasted by support staff: checked, never kept. */
export interface PastedKeyInput {
  /** A named environment of The Wallet Crew, or a base URL. */
  environment?: 'production' | 'staging';
  baseUrl?: string;
  tenantId: string;
  /** Travels renderer → main only, for this one check; never stored, never sent back. */
  secret: string;
  /** How the key is sent: The Wallet Crew's X-API-KEY (default), another header, or a bearer token. */
  auth?: { kind: 'header'; name: string } | { kind: 'bearer' };
  probe?: string;
}

/** A bulk check's progress, as its job reports it. */
export interface BulkProgressView {
  done: number;
  total: number;
  byVerdict: Partial<Record<Verdict, number>>;
  failures: number;
}

export type BulkJobView = JobView<BulkProgressView, BulkSummary>;

export const checksChannels = {
  'checks:probes': channel<void, ProbeInfo[]>(),
  /** Checks a stored key with its default probe (the one matching its scopes) or the one named. */
  'checks:run': channel<{ key: KeyRef; probe?: string }, CheckView>(),
  'checks:paste': channel<PastedKeyInput, CheckView>(),
  'checks:matrix': channel<{ key: KeyRef }, ScopeMatrix>(),
  /** Starts a bulk check of every key (or one tenant's) as a job; its progress and end arrive as job events. */
  'checks:start-bulk': channel<{ tenant?: string; concurrency?: number; perTenant?: number }, BulkJobView>(),
  /** Copies a check's redacted Markdown report to the clipboard, in the main process. */
  'checks:copy-report': channel<{ id: string }, { copied: true }>(),
};
