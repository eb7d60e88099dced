/**
 * What a key check produces, shared by core, CLI (`tkv check --json`) and the renderer.
 */
import type { KeyRef } from './contract/keys.ts';
import type { Remedy } from './remedies.ts';
import type { Verdict } from './verdicts.ts';

export type ProbeRisk = 'none' | 'low' | 'medium' | 'high';
export type BodyKind = 'problem+json' | 'json' | 'html' | 'text' | 'empty';

/** The RFC 7807 fields of a problem body, plus validation `errors` when present. */
export interface ProblemFields {
  type: string | null;
  title: string | null;
  status: number | null;
  detail: string | null;
  instance: string | null;
  /** The server's trace id (an ASP.NET extension member): not secret, and what the vendor's support asks for. */
  traceId: string | null;
  errors?: Record<string, string[]>;
}

/**
 * The negative control: what the endpoint answered a freshly made key of the vendor's shape that
 * was never issued. `refused` (401) is what a real API does; `accepted` (2xx, or 403) means the
 * endpoint's answers prove nothing about a key; `failed` means the control got no usable answer
 * (5xx, a timeout…), so nothing confirms the endpoint tells keys apart.
 */
export interface ControlOutcome {
  state: 'refused' | 'accepted' | 'failed';
  /** The HTTP status the control got, or null when no response arrived. */
  status: number | null;
  /** What happened when no status tells it (a timeout, a reset), in a few words. */
  failure: string | null;
  /** When the control was sent (ISO); a control is reused for 10 minutes, and for a whole bulk run. */
  at: string;
  /** True when this check reused an earlier control instead of sending one. */
  reused: boolean;
  /** For a control that could not be run: how many times it was sent. */
  tries?: number;
}

/**
 * The server's own word on a key refused with 401 or 403, from its admin API (`GET
 * /admin/apiKeys/{name}` with the tenant's admin credential, never with the key diagnosed), or why
 * the vault could not ask.
 */
export type ServerWord =
  /** No key of that name on the server. */
  | { state: 'deleted'; remoteName: string; credential: string }
  | { state: 'disabled'; remoteName: string; permissions: string[]; credential: string }
  /**
   * Present and enabled. On a 401, the stored secret is not that key's token; on a 403, its
   * permissions are beside the scope the probe needed.
   */
  | {
      state: 'enabled';
      remoteName: string;
      permissions: string[];
      credential: string;
      /** The vault's own last rotation of the entry, when it made one. */
      lastRotation: { at: string; previousName: string } | null;
      /** Declared in the vault, not listed by the server; and the reverse. */
      declaredOnly: string[];
      serverOnly: string[];
    }
  /** The vault does not know the key's name on the server. */
  | { state: 'unlinked'; candidates: string[] }
  /** The tenant has no admin credential (admin key or bearer token) to ask with. */
  | {
      state: 'no-credential';
      tenant: string;
      /** Stored keys of the tenant that declare admin scopes and could be marked as its admin credential. */
      markable?: { key: KeyRef; scopes: string[] }[];
    }
  /** The key diagnosed is the tenant's only admin credential: it is never used to diagnose itself. */
  | { state: 'self'; tenant: string }
  /** The vendor has no admin API for keys (Airwallex): what it cannot tell, and where to look. */
  | { state: 'no-admin-api'; vendor: string; where: string }
  /** The lookup itself failed (the admin credential refused, the network…); `remedies`: what would let it succeed. */
  | { state: 'failed'; reason: string; remedies: Remedy[] };

/**
 * What the vault keeps of the server's word on a key's last refusal (401 or 403), for the watch:
 * deleted, disabled, or present and enabled with the permissions the server lists.
 */
export interface RefusalWord {
  state: 'deleted' | 'disabled' | 'enabled';
  remoteName: string;
  /** The permissions the server lists for the key (null when it has no such key). */
  permissions: string[] | null;
  /** The scope the refused probe needed, on a 403 (null on a 401, or a probe that needs none). */
  needed: string | null;
}

export interface CheckResult {
  verdict: Verdict;
  /** The HTTP status, or null when no response arrived. */
  status: number | null;
  request: { method: string; url: string };
  durationMs: number;
  retryAfterSeconds: number | null;
  bodyKind: BodyKind | null;
  problem: ProblemFields | null;
  /** One sentence a support engineer can act on. */
  summary: string;
  /** What to do next, as data; each front door words it (remedySentence, the CLI's commands, the app's buttons). */
  nextSteps: Remedy[];
  key: { fingerprint: string };
  probe: { id: string; scope: string | null; risk: ProbeRisk };
  /** Where a 3xx pointed; the key was not sent there. */
  location: string | null;
  /** The network failure's code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT …), when there was one. */
  failureCode: string | null;
  /** The negative control this check relied on, or null when none was needed or run (a pasted key's 401, say). */
  control: ControlOutcome | null;
  /** The server's word on a 401 or 403 of a stored key, or null when not asked (another verdict, a pasted key). */
  server: ServerWord | null;
  /** What a ticket may show: allowlisted headers and a capped, redacted body excerpt. */
  evidence: {
    headers: Record<string, string>;
    /** null for sensitive probes' successful answers, and when no body arrived. */
    bodyExcerpt: string | null;
  };
}

/** A scope matrix: one low-risk probe per scope the catalogue can test. */
export interface ScopeVerdict {
  scope: string;
  state: 'granted' | 'denied' | 'untestable';
  probe: string | null;
  declared: boolean;
  /** Why a scope is untestable, or the verdict that made it so. */
  note: string | null;
}

export interface ScopeMatrix {
  key: { fingerprint: string };
  scopes: ScopeVerdict[];
  /** Declared but denied. */
  missing: string[];
  /** Granted but not declared. */
  undeclared: string[];
  /** Set when the key itself was refused (401) or a check could not run: the matrix is incomplete. */
  stoppedBy: CheckResult | null;
  /** Scopes whose probe's answer proved nothing: the negative control let a key that cannot exist in, or could not be run. */
  inconclusive: string[];
  /** The negative control behind the inconclusive scopes (the last such probe's), or null. */
  control: ControlOutcome | null;
}

/** The end of a bulk check. */
export interface BulkSummary {
  total: number;
  checked: number;
  interrupted: boolean;
  byVerdict: Partial<Record<Verdict, number>>;
  failures: { ref: KeyRef; error: string }[];
  /** The checks whose verdict is not a success (`valid`, `authenticated`), in the order they finished; the rest are only counted. */
  problems: { ref: KeyRef; result: CheckResult }[];
}
