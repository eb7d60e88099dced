/**
 * The rotations and their journal: one row per rotation, and every step written before and after it
 * happens, so an interrupted rotation resumes or rolls back from where it stood. Never a token: the
 * new key's is in the keychain under `new_account` from the moment the server shows it.
 *
 *   rotations        { id: "…", key_id: "0b7e…", tenant: "acme", key_name: "crm", state: "overlap",
 *                      step: "switched", old_remote_name: "crm", old_account: "…", old_fingerprint: "…",
 *                      new_remote_name: "crm-20261201", new_account: "…", new_fingerprint: "…",
 *                      permissions: '["Pass.Read"]', retire: null, last_error: null, started_at, updated_at }
 *   rotation_journal { rotation_id: "…", at: "…", step: "create", phase: "after", detail: '{"fingerprint":"…"}' }
 */
import { Store } from '../db/connection.ts';

export type RotationState = 'started' | 'overlap' | 'finished' | 'rolled_back';

export interface RotationRow {
  id: string;
  key_id: string;
  tenant: string;
  key_name: string;
  state: RotationState;
  step: string;
  old_remote_name: string;
  old_account: string;
  old_fingerprint: string;
  new_remote_name: string;
  new_account: string;
  new_fingerprint: string | null;
  permissions: string;
  retire: 'disable' | 'delete' | null;
  last_error: string | null;
  started_at: string;
  updated_at: string;
}

export interface JournalEntry {
  at: string;
  step: string;
  phase: 'before' | 'after' | 'failed';
  detail: Record<string, unknown> | null;
}

export class RotationStore extends Store {
  insert(row: RotationRow): void {
    this
      .statement(
        `INSERT INTO rotations (id, key_id, tenant, key_name, state, step, old_remote_name, old_account, old_fingerprint, new_remote_name, new_account,
           new_fingerprint, permissions, retire, last_error, started_at, updated_at)
         VALUES (@id, @key_id, @tenant, @key_name, @state, @step, @old_remote_name, @old_account, @old_fingerprint, @new_remote_name, @new_account,
           @new_fingerprint, @permissions, @retire, @last_error, @started_at, @updated_at)`,
      )
      .run(row);
  }

  update(id: string, changes: Partial<Pick<RotationRow, 'state' | 'step' | 'new_fingerprint' | 'retire' | 'last_error' | 'updated_at'>>): void {
    const names = Object.keys(changes) as (keyof typeof changes)[];
    if (names.length === 0) return;
    this.statement(`UPDATE rotations SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`).run({ ...changes, id });
  }

  find(id: string): RotationRow | undefined {
    return this.statement(`SELECT * FROM rotations WHERE id = ?`).get(id) as RotationRow | undefined;
  }

  /** The rotation of a key that has not ended (at most one, by a unique index). */
  open(keyId: string): RotationRow | undefined {
    return this.statement(`SELECT * FROM rotations WHERE key_id = ? AND state IN ('started', 'overlap')`).get(keyId) as RotationRow | undefined;
  }

  list(options: { openOnly?: boolean; keyId?: string } = {}): RotationRow[] {
    const where = [options.openOnly ? `state IN ('started', 'overlap')` : null, options.keyId ? `key_id = @keyId` : null].filter(Boolean);
    return this
      .statement(`SELECT * FROM rotations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, id`)
      .all(options.keyId ? { keyId: options.keyId } : {}) as RotationRow[];
  }

  journal(rotationId: string, entry: JournalEntry): void {
    this
      .statement(`INSERT INTO rotation_journal (rotation_id, at, step, phase, detail) VALUES (?, ?, ?, ?, ?)`)
      .run(rotationId, entry.at, entry.step, entry.phase, entry.detail ? JSON.stringify(entry.detail) : null);
  }

  journalEntries(rotationId: string): JournalEntry[] {
    return (this.statement(`SELECT at, step, phase, detail FROM rotation_journal WHERE rotation_id = ? ORDER BY id`).all(rotationId) as (Omit<JournalEntry, 'detail'> & { detail: string | null })[]).map(
      (row) => ({ ...row, detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null }),
    );
  }
}
