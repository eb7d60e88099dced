/**
 * What the vendor's logs showed of each key's use, kept for offline review and exports.
 *
 *   key_usage { key_id: "0b7e…", last_seen: "2026-12-01T09:05:00Z" | NULL, covered_from: "2026-10-17T…", asked_at: "2026-12-01T12:00:00Z" }
 */
import type { RememberedUsage } from '../../shared/usage.ts';
import { Store } from '../db/connection.ts';

interface UsageRow {
  key_id: string;
  last_seen: string | null;
  covered_from: string;
  asked_at: string;
}

export class UsageStore extends Store {
  get(keyId: string): RememberedUsage | null {
    const row = this.statement(`SELECT * FROM key_usage WHERE key_id = ?`).get(keyId) as UsageRow | undefined;
    return row ? { lastSeen: row.last_seen, coveredFrom: row.covered_from, askedAt: row.asked_at } : null;
  }

  all(): Map<string, RememberedUsage> {
    const rows = this.statement(`SELECT * FROM key_usage`).all() as UsageRow[];
    return new Map(rows.map((row) => [row.key_id, { lastSeen: row.last_seen, coveredFrom: row.covered_from, askedAt: row.asked_at }]));
  }

  put(keyId: string, usage: RememberedUsage): void {
    this.statement(
      `INSERT INTO key_usage (key_id, last_seen, covered_from, asked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key_id) DO UPDATE SET last_seen = excluded.last_seen, covered_from = excluded.covered_from, asked_at = excluded.asked_at`,
    ).run(keyId, usage.lastSeen, usage.coveredFrom, usage.askedAt);
  }
}

/**
 * What the vault remembers after an ask that looked at `from`…`to` and saw `lastSeen`: the newest
 * request of all, and the start of the looked-at span, kept when this window joins the last one.
 */
export function remember(previous: RememberedUsage | null, ask: { from: string; to: string; lastSeen: string | null }): RememberedUsage {
  const lastSeen = [previous?.lastSeen ?? null, ask.lastSeen].filter((at): at is string => at !== null).sort().at(-1) ?? null;
  const joins = previous !== null && ask.from <= previous.askedAt && previous.coveredFrom < ask.from;
  return { lastSeen, coveredFrom: joins ? previous.coveredFrom : ask.from, askedAt: ask.to };
}
