/**
 * What the vault keeps of the servers' keys: a time-stamped snapshot of each listing (for offline
 * review and drift), and each key creation sent to a server until its answer is in (its token comes
 * only in that answer). A listing also reads the rotations in progress, to say which server key a
 * rotation is creating.
 *
 *   remote_snapshots      { id: 3, tenant_ref: "6f1c…", taken_at: "…",
 *                           keys: '[{"name":"crm","enabled":true,"permissions":["Pass.Read"]}]' }
 *   remote_create_intents { id: "…", tenant_ref: "6f1c…", key_name: "crm", remote_name: "crm",
 *                           permissions: '["Pass.Read"]', started_at: "…", state: "sent" }
 */
import { Store } from '../db/connection.ts';

export interface RemoteKey {
  name: string;
  enabled: boolean;
  permissions: string[];
}

/** A key creation sent to a server, kept until its answer is in (migration 10). */
export interface CreateIntentRow {
  id: string;
  tenant_ref: string;
  key_name: string;
  remote_name: string;
  permissions: string;
  started_at: string;
  /** `sent`: no answer yet; `orphaned`: the server made the key, and its token never came back. */
  state: 'sent' | 'orphaned';
}

/** A rotation that has not ended, as a listing needs it. */
export interface OpenRotation {
  key_id: string;
  tenant: string;
  key_name: string;
  state: 'started' | 'overlap';
  old_remote_name: string;
  new_remote_name: string;
  new_account: string;
}

export class AdminStore extends Store {
  insertSnapshot(tenantRef: string, takenAt: string, keys: RemoteKey[]): number {
    return Number(this.statement(`INSERT INTO remote_snapshots (tenant_ref, taken_at, keys) VALUES (?, ?, ?)`).run(tenantRef, takenAt, JSON.stringify(keys)).lastInsertRowid);
  }

  latestSnapshot(tenantRef: string): { id: number; takenAt: string; keys: RemoteKey[] } | undefined {
    const row = this.statement(`SELECT id, taken_at, keys FROM remote_snapshots WHERE tenant_ref = ? ORDER BY taken_at DESC, id DESC LIMIT 1`).get(tenantRef) as
      | { id: number; taken_at: string; keys: string }
      | undefined;
    return row ? { id: row.id, takenAt: row.taken_at, keys: JSON.parse(row.keys) as RemoteKey[] } : undefined;
  }

  /** Writes down a key creation before it is sent to the server. */
  recordCreateIntent(row: CreateIntentRow): void {
    this.statement(`INSERT INTO remote_create_intents (id, tenant_ref, key_name, remote_name, permissions, started_at, state) VALUES (@id, @tenant_ref, @key_name, @remote_name, @permissions, @started_at, @state)`).run(row);
  }

  /** Crosses a creation out (its answer is in, or its key is deleted), or marks its key orphaned. */
  settleCreateIntent(id: string, state: 'done' | 'orphaned'): void {
    if (state === 'done') this.statement(`DELETE FROM remote_create_intents WHERE id = ?`).run(id);
    else this.statement(`UPDATE remote_create_intents SET state = 'orphaned' WHERE id = ?`).run(id);
  }

  /** The creations of a tenant whose answer never came in, oldest first. */
  createIntents(tenantRef: string): CreateIntentRow[] {
    return this.statement(`SELECT * FROM remote_create_intents WHERE tenant_ref = ? ORDER BY started_at, id`).all(tenantRef) as CreateIntentRow[];
  }

  /** The rotations that have not ended (of one tenant). */
  openRotations(tenant?: string): OpenRotation[] {
    return this.statement(
      `SELECT key_id, tenant, key_name, state, old_remote_name, new_remote_name, new_account FROM rotations WHERE state IN ('started', 'overlap') ${tenant === undefined ? '' : 'AND tenant = @tenant'} ORDER BY started_at, id`,
    ).all(tenant === undefined ? {} : { tenant }) as OpenRotation[];
  }
}
