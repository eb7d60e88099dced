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
