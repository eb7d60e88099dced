/**
 * Review sign-offs: who signed, when, the digest of what was reviewed, and that state (each key's id,
 * name, fingerprint and flag codes; never a secret), to tell what changed since.
 *
 *   review_signoffs { id: 1, at: "…", reviewer: "Ada Lovelace", note: "quarterly", digest: "2a6f…",
 *                     keys: 4, flagged: 3, state: '[["0b7e…","demo/crm","3fa9…","no-owner"],…]' }
 */
import { Store } from '../db/connection.ts';

export interface SignOffRow {
  id: number;
  at: string;
  reviewer: string;
  note: string | null;
  digest: string;
  keys: number;
  flagged: number;
}

export class ReviewStore extends Store {
  insertSignOff(row: Omit<SignOffRow, 'id'> & { state: string }): number {
    return Number(this.statement(`INSERT INTO review_signoffs (at, reviewer, note, digest, keys, flagged, state) VALUES (@at, @reviewer, @note, @digest, @keys, @flagged, @state)`).run(row).lastInsertRowid);
  }

  latestSignOff(): SignOffRow | undefined {
    return this.statement(`SELECT id, at, reviewer, note, digest, keys, flagged FROM review_signoffs ORDER BY id DESC LIMIT 1`).get() as SignOffRow | undefined;
  }

  signOffState(id: number): string | null {
    return (this.statement(`SELECT state FROM review_signoffs WHERE id = ?`).get(id) as { state: string } | undefined)?.state ?? null;
  }
}
