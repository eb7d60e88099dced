/**
 * The settings table: small JSON values by name, each domain under names of its own ("review"). The
 * change itself is audited by the domain that makes it, inside the same transaction.
 *
 *   settings { name: "review", value: '{"expiringDays":[30,7,1],"staleCheckDays":90,…}' }
 */
import { Store } from './connection.ts';

export class Settings extends Store {
  /** A setting's JSON value, or null. */
  get(name: string): unknown {
    const row = this.statement(`SELECT value FROM settings WHERE name = ?`).get(name) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : null;
  }

  set(name: string, value: unknown): void {
    this.statement(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run(name, JSON.stringify(value));
  }
}
