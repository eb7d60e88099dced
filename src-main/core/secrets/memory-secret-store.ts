/** A SecretStore held in memory, for unit tests only: it forgets everything when the process ends. */
import type { SecretStore } from './secret-store.ts';

export class MemorySecretStore implements SecretStore {
  readonly service: string;
  readonly backend = 'memory (tests only)';
  readonly entries = new Map<string, string>();
  /** When set, every call rejects with this error, as an unreachable keychain would. */
  failWith: Error | null = null;

  constructor(service = 'tkv-memory') {
    this.service = service;
  }

  async get(account: string): Promise<string | null> {
    this.throwIfFailing();
    return this.entries.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.throwIfFailing();
    this.entries.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    this.throwIfFailing();
    return this.entries.delete(account);
  }

  async listAccounts(): Promise<string[]> {
    this.throwIfFailing();
    return [...this.entries.keys()];
  }

  private throwIfFailing(): void {
    if (this.failWith) throw this.failWith;
  }
}
