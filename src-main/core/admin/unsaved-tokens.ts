/**
 * Tokens a server showed once that the keychain refused, held in memory for the one dialog that
 * shows them (the app's show-once rescue): never written anywhere, forgotten when the person closes
 * the dialog, and in any case after `ttlMs`, so a token nobody looked at does not linger.
 */
import { randomUUID } from 'node:crypto';
import type { KeyRef, UnsavedTokenView } from '../../shared/contract.ts';

/** A token a server created that the keychain refused: to be shown once, then forgotten. */
export interface UnsavedToken {
  key: KeyRef;
  remoteName: string;
  token: string;
  fingerprint: string;
  reason: string;
}

export class UnsavedTokens {
  private readonly held = new Map<string, { view: UnsavedTokenView; timer: NodeJS.Timeout }>();
  private readonly ttlMs: number;

  constructor(options: { ttlMs?: number } = {}) {
    this.ttlMs = options.ttlMs ?? 30 * 60_000;
  }

  /** Holds a token until it is forgotten; returns its id. */
  hold(token: UnsavedToken): string {
    const id = randomUUID();
    const timer = setTimeout(() => this.forget(id), this.ttlMs);
    timer.unref();
    this.held.set(id, { view: { id, key: token.key, remoteName: token.remoteName, fingerprint: token.fingerprint, reason: token.reason, token: token.token }, timer });
    return id;
  }

  list(): UnsavedTokenView[] {
    return [...this.held.values()].map((entry) => ({ ...entry.view }));
  }

  get(id: string): UnsavedTokenView | null {
    return this.held.get(id)?.view ?? null;
  }

  forget(id: string): boolean {
    const entry = this.held.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    return this.held.delete(id);
  }

  clear(): void {
    for (const id of [...this.held.keys()]) this.forget(id);
  }
}
