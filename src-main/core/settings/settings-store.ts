/**
 * The settings table: small JSON values by name.
 *
 *   settings { name: "review", value: '{"expiringDays":[30,7,1],"staleCheckDays":90,…}' }
 */
import { Store } from '../db/connection.ts';

export class SettingsStore extends Store {
  /** A setting's JSON value, or null. */
  get(name: string): unknown {
    const row = this.statement(`SELECT value FROM settings WHERE name = ?`).get(name) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : null;
  }

  set(name: string, value: unknown): void {
    this.statement(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run(name, JSON.stringify(value));
  }
}
