/**
 * The app's watch as the navigation and the Watch screen show it. Shape kept: WatchStatus (what the
 * background rounds found, what is new since the person last looked), read at startup and again on
 * every change to the vault.
 */
import type { KeyRef, WatchSettings, WatchStatus } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export class WatchStore {
  status = $state.raw<WatchStatus | null>(null);
  error = $state.raw<ApiError | null>(null);
  running = $state(false);
  private readonly latest = new Latest();

  /** How many things are new since the person last looked: the count on the navigation. */
  get unseen(): number {
    return this.status?.unseen ?? 0;
  }

  async load(): Promise<void> {
    await this.apply(() => unwrap(api.watch.status()));
  }

  async seen(): Promise<void> {
    if (this.unseen === 0 && (this.status?.cleared.length ?? 0) === 0) return;
    await this.apply(() => unwrap(api.watch.seen()));
  }

  async snooze(key: KeyRef, days: number | null): Promise<void> {
    await this.apply(() => unwrap(api.watch.snooze({ key: { tenant: key.tenant, name: key.name }, days })));
  }

  async run(): Promise<void> {
    this.running = true;
    try {
      await this.apply(() => unwrap(api.watch.run()));
    } finally {
      this.running = false;
    }
  }

  async saveSettings(settings: Partial<WatchSettings>): Promise<void> {
    this.status = await unwrap(api.watch.setSettings(settings));
  }

  private async apply(call: () => Promise<WatchStatus>): Promise<void> {
    const current = this.latest.begin();
    try {
      const status = await call();
      if (current()) {
        this.status = status;
        this.error = null;
      }
    } catch (error) {
      if (current()) this.error = asApiError(error);
    }
  }
}
