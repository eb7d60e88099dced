/**
 * The sandbox's Insights: a `Logs` table per tenant recording every request it serves under
 * `/api/{tenantId}/` (time, the calling key's name, method, path, status, remote address, user
 * agent), and `POST /api/{tenantId}/insights/query`, which runs the small KQL subset of kql.ts over
 * it, at most 60 calls a minute per tenant (the vendor's one public limit). Kept in memory, 45 days
 * deep (the vendor's retention) and at most MAX_ROWS rows per tenant: a restart forgets them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { BodyError, readJson, sendJson, sendProblem } from './http-helpers.ts';
import { KqlError, kqlProblem, LOGS_SCHEMA, runKql, type LogsRow } from './kql.ts';
import { Throttle } from './throttle.ts';

/** The vendor keeps 45 days of logs. */
export const RETENTION_MS = 45 * 24 * 3600_000;
/** Rows kept per tenant, oldest dropped first. */
export const MAX_ROWS = 200_000;
/** Insights calls a minute per tenant. */
export const INSIGHTS_CALLS_PER_MINUTE = 60;

export class SandboxLogs {
  private readonly tables = new Map<string, LogsRow[]>();
  private readonly throttle = new Throttle();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Records `request`'s answer in the tenant's Logs once it is sent (or the connection ends). */
  watch(tenantId: string, request: IncomingMessage, response: ServerResponse, keyName: () => string): void {
    const started = this.now();
    response.once('close', () => {
      const url = new URL(request.url ?? '/', 'http://sandbox');
      this.add(tenantId, {
        timestamp: new Date(started),
        keyName: keyName(),
        method: request.method ?? 'GET',
        path: url.pathname,
        status: response.headersSent ? response.statusCode : 0,
        remoteAddress: request.socket.remoteAddress ?? '',
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '',
      });
    });
  }

  /** Adds rows (the control API's way of giving a tenant a past); the oldest beyond the limits go. */
  add(tenantId: string, ...rows: LogsRow[]): void {
    let table = this.tables.get(tenantId);
    if (!table) this.tables.set(tenantId, (table = []));
    const start = table.length;
    for (const row of rows) table.push(row);
    // Oldest first, so that retention drops from the front; rows given with a past are put in place.
    let sorted = true;
    for (let index = Math.max(1, start); index < table.length && sorted; index += 1) sorted = table[index - 1]!.timestamp <= table[index]!.timestamp;
    if (!sorted) table.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    const oldest = this.now() - RETENTION_MS;
    let drop = Math.max(0, table.length - MAX_ROWS);
    while (drop < table.length && table[drop]!.timestamp.getTime() < oldest) drop += 1;
    if (drop > 0) table.splice(0, drop);
  }

  /** The tenant's rows, the ones older than the retention dropped first (a quiet sandbox ages too). */
  rows(tenantId: string): readonly LogsRow[] {
    const table = this.tables.get(tenantId);
    if (!table) return [];
    const oldest = this.now() - RETENTION_MS;
    let drop = 0;
    while (drop < table.length && table[drop]!.timestamp.getTime() < oldest) drop += 1;
    if (drop > 0) table.splice(0, drop);
    return table;
  }

  clear(tenantId?: string): void {
    if (tenantId === undefined) this.tables.clear();
    else this.tables.delete(tenantId);
  }

  /** `POST /api/{tenantId}/insights/query` with `{ "query": "..." }`, the caller already allowed `Insights.Read`. */
  async query(tenantId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const decision = this.throttle.take(`insights:${tenantId}`, { capacity: INSIGHTS_CALLS_PER_MINUTE, refillPerSecond: INSIGHTS_CALLS_PER_MINUTE / 60, status: 429, retryAfter: true });
    if (!decision.allowed) return sendProblem(response, 429, `Insights allows ${INSIGHTS_CALLS_PER_MINUTE} calls a minute per tenant.`, {}, { 'Retry-After': String(decision.retryAfterSeconds) });
    let body: unknown;
    try {
      body = await readJson(request);
    } catch (error) {
      if (error instanceof BodyError) return sendProblem(response, error.status, error.message);
      throw error;
    }
    const query = (body as { query?: unknown } | null)?.query;
    if (typeof query !== 'string' || query.trim() === '') return sendProblem(response, 400, undefined, { errors: { query: ['The query field is required.'] } });
    try {
      return sendJson(response, 200, runKql(query, { Logs: this.rows(tenantId) }, new Date(this.now()), { schemas: { Logs: LOGS_SCHEMA } }));
    } catch (error) {
      if (error instanceof KqlError) return sendJson(response, 400, kqlProblem(error, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`), { 'Content-Type': 'application/problem+json; charset=utf-8' });
      throw error;
    }
  }
}

/** A row given through the control API, checked field by field; the message says what is wrong. */
function logsRowFrom(value: unknown, now: number): LogsRow | string {
  if (typeof value !== 'object' || value === null) return 'each row must be an object';
  const row = value as Record<string, unknown>;
  const timestamp = typeof row.timestamp === 'string' ? new Date(row.timestamp) : typeof row.hoursAgo === 'number' ? new Date(now - row.hoursAgo * 3600_000) : null;
  if (!timestamp || Number.isNaN(timestamp.getTime())) return 'timestamp must be an ISO time (or give hoursAgo, a number)';
  if (typeof row.keyName !== 'string') return 'keyName must be a string';
  const text = (name: string, fallback: string) => (typeof row[name] === 'string' ? (row[name] as string) : fallback);
  const status = row.status ?? 200;
  if (typeof status !== 'number' || !Number.isInteger(status)) return 'status must be a whole number';
  return { timestamp, keyName: row.keyName, method: text('method', 'GET'), path: text('path', '/'), status, remoteAddress: text('remoteAddress', ''), userAgent: text('userAgent', '') };
}

/**
 * The control API's Logs routes: `POST /_sandbox/logs` gives a tenant a past (rows with times of
 * their own, or `hoursAgo`), `DELETE /_sandbox/logs` forgets every tenant's. Whether it handled `route`.
 */
export async function logsControl(route: string, request: IncomingMessage, response: ServerResponse, logs: SandboxLogs, isTenant: (id: string) => boolean, now: () => number): Promise<boolean> {
  if (route === 'DELETE /_sandbox/logs') {
    logs.clear();
    sendJson(response, 200, {});
    return true;
  }
  if (route !== 'POST /_sandbox/logs') return false;
  const body = (await readJson(request)) as { tenantId?: unknown; rows?: unknown };
  if (typeof body?.tenantId !== 'string' || !isTenant(body.tenantId)) {
    sendProblem(response, 400, 'tenantId must name a tenant of this sandbox.');
    return true;
  }
  if (!Array.isArray(body.rows) || body.rows.length > 10_000) {
    sendProblem(response, 400, 'rows must be a list of at most 10,000 Logs rows.');
    return true;
  }
  const rows: LogsRow[] = [];
  for (const [index, value] of body.rows.entries()) {
    const row = logsRowFrom(value, now());
    if (typeof row === 'string') {
      sendProblem(response, 400, `rows[${index}]: ${row}.`);
      return true;
    }
    rows.push(row);
  }
  logs.add(body.tenantId, ...rows);
  sendJson(response, 201, { tenantId: body.tenantId, rows: logs.rows(body.tenantId).length });
  return true;
}
