/**
 * The Wallet Crew's Insights API: `POST /api/{tenantId}/insights/query` with a KQL query, answered
 * in the Log Analytics shape (`tables[0]` with `columns` and `rows`). Read-only, scope
 * `Insights.Read`, 60 calls a minute per tenant (../shared/specs/wallet-crew-api.md). Every text the
 * server sends back passes through the redactor before it is returned.
 */
import { retryAfterSeconds, type HttpClient } from '../../http/http-client.ts';
import type { Redactor } from '../../redaction/redactor.ts';
import { problemOf, type AdminCredential, type AdminTarget } from './admin-api.ts';
import { API_KEY_HEADER } from './wallet-crew.ts';

export const INSIGHTS_SCOPE = 'Insights.Read';
/** The vendor's one public limit. */
export const INSIGHTS_CALLS_PER_MINUTE = 60;

export interface InsightsTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export type InsightsAnswer =
  | { ok: true; table: InsightsTable }
  | { ok: false; kind: 'refused' | 'bad-query' | 'throttled' | 'failed' | 'unreadable'; message: string; retryAfterSeconds: number | null };

/** Runs `query` with `credential`; what went wrong is said in words a person can act on. */
export async function queryInsights(http: HttpClient, target: AdminTarget, credential: AdminCredential, query: string, redactor: Redactor): Promise<InsightsAnswer> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}/api/${encodeURIComponent(target.tenantId)}/insights/query`;
  const secretHeaders: Record<string, string> = credential.kind === 'api-key' ? { [API_KEY_HEADER]: credential.secret } : { authorization: `Bearer ${credential.token}` };
  const outcome = await http.send({ method: 'POST', url, secretHeaders, json: { query } });
  const fail = (kind: Exclude<InsightsAnswer, { ok: true }>['kind'], message: string, retry: number | null = null): InsightsAnswer => ({ ok: false, kind, message, retryAfterSeconds: retry });
  if (outcome.kind === 'failure') return fail('failed', `The Insights query could not be sent: ${redactor.redactText(outcome.message)}`);
  const status = outcome.status;
  if (status === 200) {
    const table = tableOf(outcome.truncated ? undefined : outcome.body.toString('utf8'));
    return table ? { ok: true, table } : fail('unreadable', 'The server answered the Insights query 200, but not with a result table (tables[0] with columns and rows).');
  }
  const problem = problemOf(outcome, redactor);
  const said = problem.detail ?? problem.title;
  const quote = said ? ` The server said: "${said.replace(/\.$/, '')}".` : '';
  if (status === 401) return fail('refused', `The ${credential.label} was refused by Insights (401): it is invalid, revoked, disabled or expired.${quote}`);
  if (status === 403) return fail('refused', `The ${credential.label} authenticates but lacks ${INSIGHTS_SCOPE}, which the Insights query needs (403).`);
  if (status === 400) return fail('bad-query', `The Insights API refused the tenant's usage query (400).${quote} Correct the tenant's usage query.`);
  if (status === 429 || (status === 503 && outcome.headers['retry-after'] !== undefined)) {
    const retry = retryAfterSeconds(outcome.headers['retry-after']);
    return fail('throttled', `Insights allows ${INSIGHTS_CALLS_PER_MINUTE} calls a minute per tenant and refused this one (${status}); ask again ${retry === null ? 'in a minute' : `in ${retry} s`}.`, retry);
  }
  if (status === 404) return fail('failed', `The tenant has no Insights API at this address (404).${quote}`);
  return fail('failed', `The Insights API answered ${status}.${quote}`);
}

function tableOf(text: string | undefined): InsightsTable | null {
  if (text === undefined) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const table = (body as { tables?: unknown } | null)?.tables;
  const first = Array.isArray(table) ? (table[0] as { columns?: unknown; rows?: unknown } | undefined) : undefined;
  if (!first || !Array.isArray(first.columns) || !Array.isArray(first.rows)) return null;
  const word = (value: unknown) => (typeof value === 'string' ? value : '');
  const columns = first.columns.map((column: unknown) => ({ name: word((column as { name?: unknown } | null)?.name), type: word((column as { type?: unknown } | null)?.type) }));
  if (!first.rows.every((row: unknown) => Array.isArray(row) && row.length === columns.length)) return null;
  return { columns, rows: first.rows as unknown[][] };
}
