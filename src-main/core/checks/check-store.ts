/**
 * The checks' tables: one row per check run (a single check, a scope matrix, a bulk run), its checks
 * (the validation history, never a secret: the URL is refused if it carries one), and the probes a
 * person added.
 *
 *   check_runs    { id: 12, started_at: "…", kind: "bulk" }
 *   validations   { id: 901, run_id: 12, key_id: "0b7e…", at: "…", probe: "config", verdict: "valid",
 *                   status: 200, duration_ms: 84, url: "https://…/api/acme/admin/config" }
 *   custom_probes { id: "loyalty", vendor: "wallet-crew", method: "GET", path: "/api/{tenantId}/…",
 *                   scope: "Loyalty.Read", risk: "low", description: "…" }
 */
import type { RefusalWord } from '../../shared/check.ts';
import type { Verdict } from '../../shared/verdicts.ts';
import { Store } from '../db/connection.ts';

export type CheckRunKind = 'check' | 'matrix' | 'bulk';

export interface ValidationEntry {
  keyId: string;
  tenant: string;
  keyName: string;
  fingerprint: string;
  at: string;
  probe: string;
  verdict: Verdict;
  status: number | null;
  durationMs: number;
  url: string;
  /** The server's word on a refusal (kept for the watch), when it settled something. */
  word?: RefusalWord | null;
}

/** A recorded check, as the history shows it. */
export type ValidationRecord = Omit<ValidationEntry, 'tenant' | 'keyName' | 'fingerprint' | 'word'> & { runId: number };

export interface CustomProbeRow {
  id: string;
  vendor: string;
  method: 'GET' | 'HEAD';
  path: string;
  scope: string | null;
  risk: 'none' | 'low' | 'medium' | 'high';
  description: string;
}

/**
 * A key's history: for each run, one seek in the (run_id, key_id) index. CROSS JOIN fixes that join
 * order; left to itself the planner may scan all history for the key instead.
 */
export const HISTORY_SQL = `SELECT v.run_id AS runId, v.key_id AS keyId, v.at, v.probe, v.verdict, v.status, v.duration_ms AS durationMs, v.url
  FROM check_runs r CROSS JOIN validations v ON v.run_id = r.id AND v.key_id = ? ORDER BY v.id`;

/** Rows per INSERT statement when recording checks (7 parameters a row, well under SQLite's limit). */
const RECORD_CHUNK = 250;

export class CheckStore extends Store {
  /** Starts a check run; its checks are recorded under it. */
  startRun(kind: CheckRunKind, at: string): number {
    return Number(this.statement(`INSERT INTO check_runs (started_at, kind) VALUES (?, ?)`).run(at, kind).lastInsertRowid);
  }

  /**
   * Records checks of a run, inside the caller's transaction, `RECORD_CHUNK` rows to a statement.
   * A key removed while its check ran is skipped, not an error that would lose the rest of the batch.
   * Returns the rowid of the first row written (a statement's rows get consecutive rowids, and
   * nothing else writes inside the transaction), or null when none was.
   */
  insertValidations(runId: number, rows: readonly ValidationEntry[]): number | null {
    const sql = `INSERT INTO validations (run_id, key_id, at, probe, verdict, status, duration_ms, url)
       SELECT @runId, column1, column2, column3, column4, column5, column6, column7 FROM (VALUES %ROWS%)
       WHERE EXISTS (SELECT 1 FROM keys WHERE keys.id = column1)`;
    const row = '(?, ?, ?, ?, ?, ?, ?)';
    let first: number | null = null;
    for (let start = 0; start < rows.length; start += RECORD_CHUNK) {
      const count = Math.min(RECORD_CHUNK, rows.length - start);
      const values: unknown[] = [];
      for (let index = start; index < start + count; index += 1) {
        const entry = rows[index]!;
        values.push(entry.keyId, entry.at, entry.probe, entry.verdict, entry.status, entry.durationMs, entry.url);
      }
      const { changes, lastInsertRowid } = this.statement(sql.replace('%ROWS%', Array.from({ length: count }, () => row).join(', '))).run(values, { runId });
      if (first === null && changes > 0) first = Number(lastInsertRowid) - changes + 1;
    }
    return first;
  }

  /**
   * Keeps the server's word on a key's refusal, in place of the one before (inside the caller's
   * transaction). A key removed while its check ran is skipped.
   */
  keepRefusalWord(keyId: string, at: string, word: RefusalWord): void {
    this.statement(
      `INSERT INTO key_server_words (key_id, at, state, remote_name, permissions, needed) SELECT @keyId, @at, @state, @remoteName, @permissions, @needed
       WHERE EXISTS (SELECT 1 FROM keys WHERE id = @keyId)
       ON CONFLICT (key_id) DO UPDATE SET at = excluded.at, state = excluded.state, remote_name = excluded.remote_name, permissions = excluded.permissions, needed = excluded.needed`,
    ).run({ keyId, at, state: word.state, remoteName: word.remoteName, permissions: word.permissions === null ? null : JSON.stringify(word.permissions), needed: word.needed });
  }

  /** A key's check history, oldest first: one index seek per run, never a scan of all history. */
  history(keyId: string): ValidationRecord[] {
    return this.statement(HISTORY_SQL).all(keyId) as ValidationRecord[];
  }

  /** Begins the connection's batch write (see Connection.writeInBatch), for the recorder. */
  writeInBatch<T>(ended: (committed: boolean) => void, work: () => T): T {
    return this.db.writeInBatch(ended, work);
  }

  commitBatch(): void {
    this.db.commitBatch();
  }

  listCustomProbes(): CustomProbeRow[] {
    return this.statement(`SELECT * FROM custom_probes ORDER BY id`).all() as CustomProbeRow[];
  }

  insertCustomProbe(row: CustomProbeRow): void {
    this.statement(`INSERT INTO custom_probes (id, vendor, method, path, scope, risk, description) VALUES (@id, @vendor, @method, @path, @scope, @risk, @description)`).run(row);
  }

  deleteCustomProbe(id: string): boolean {
    return this.statement(`DELETE FROM custom_probes WHERE id = ?`).run(id).changes > 0;
  }
}
