/**
 * Notices when another connection (tkv, another window, another app instance) changed the
 * inventory: SQLite's `data_version` changes exactly when another connection commits. Polled twice a
 * second on the app's own connection, so a change made in a terminal shows in the open app within a
 * second, without reloading.
 */
import type { InventoryDatabase } from './database.ts';

/** Calls `onChange` after each commit of another connection; returns the stop. */
export function watchInventory(db: InventoryDatabase, onChange: () => void, intervalMs = 500): () => void {
  const read = () => db.pragma('data_version', { simple: true }) as number;
  let seen = read();
  const timer = setInterval(() => {
    if (!db.open) return;
    const now = read();
    if (now !== seen) {
      seen = now;
      onChange();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
