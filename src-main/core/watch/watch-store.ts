/**
 * What the watch reads of the inventory: the keys that can need a person — refused at their last
 * judgement (401 or 403), inconclusive at their last attempt, expired or expiring within the watch's
 * window — each set found through its own index, never a scan of every key. The app asks on every
 * change to the vault; an inventory of 50,000 keys has a few hundred such keys.
 */
import type { RefusalWord } from '../../shared/check.ts';
import type { KeySummary } from '../../shared/contract.ts';
import { Store } from '../db/connection.ts';
import { plusDays } from '../keys/key-query.ts';
import { KEY_COLUMNS, KEY_FROM, toKeySummary, type KeyRow } from '../keys/key-store.ts';

// keys_expires (migration 6) leads with `expires_on IS NULL`: the condition is written the same way, so that it is used.
const CANDIDATES_SQL = `SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.id IN (
    SELECT key_id FROM key_status WHERE last_verdict IN ('unauthorized', 'forbidden')
    UNION ALL SELECT key_id FROM key_status WHERE last_attempt = 'inconclusive'
    UNION ALL SELECT id FROM keys WHERE (expires_on IS NULL) = 0 AND expires_on <= ?)
  ORDER BY t.alias, k.name`;

const REFUSAL_WORDS_SQL = `SELECT w.key_id AS keyId, w.state, w.remote_name AS remoteName, w.permissions, w.needed
  FROM key_status s JOIN key_server_words w ON w.key_id = s.key_id AND w.at = s.last_checked_at
  WHERE s.last_verdict IN ('unauthorized', 'forbidden')`;

export class WatchStore extends Store {
  /**
   * The keys that can need a person on `today` (YYYY-MM-DD), by tenant then name, with an expiry
   * window of `expiringDays`: those whose `expiresInDays` is at most that, the expired included. The
   * watch sorts out which do (watch-round.ts needsAPerson).
   */
  candidates(today: string, expiringDays: number): KeySummary[] {
    return (this.statement(CANDIDATES_SQL).all(plusDays(today, expiringDays)) as KeyRow[]).map((row) => toKeySummary(row, today));
  }

  /**
   * The server's word on each key refused at its last judgement, by key id: only a word given at that
   * very judgement (a later check that succeeded, or was refused without asking, leaves none).
   */
  refusalWords(): Map<string, RefusalWord> {
    const rows = this.statement(REFUSAL_WORDS_SQL).all() as { keyId: string; state: RefusalWord['state']; remoteName: string; permissions: string | null; needed: string | null }[];
    return new Map(rows.map((row) => [row.keyId, { state: row.state, remoteName: row.remoteName, permissions: row.permissions === null ? null : (JSON.parse(row.permissions) as string[]), needed: row.needed }]));
  }
}
