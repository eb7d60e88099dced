/**
 * Settings: small values a domain keeps by name ("review"), each domain under names of its own. The
 * domain that changes one audits the change, inside the same transaction (see review-service.ts).
 */
import type { Connection } from '../db/connection.ts';
import { SettingsStore } from './settings-store.ts';

export class SettingsService {
  private readonly store: SettingsStore;

  constructor(options: { db: Connection }) {
    this.store = new SettingsStore(options.db);
  }

  /** A setting's value, or null when it was never set. */
  get(name: string): unknown {
    return this.store.get(name);
  }

  /** Sets a value; inside the caller's transaction when there is one. */
  set(name: string, value: unknown): void {
    this.store.set(name, value);
  }
}
