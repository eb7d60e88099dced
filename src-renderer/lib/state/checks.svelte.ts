/**
 * Checks as the person runs them: a stored key (its default probe, or one chosen), a pasted key, a
 * scope matrix. Shape kept: the latest CheckView (its result, redacted in the main process), the
 * latest matrix, and which checks are running. A pasted key is passed straight to `checks:paste`
 * and kept nowhere here.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { ScopeMatrix } from '../../../src-main/shared/check.ts';
import type { CheckView, KeyRef, PastedKeyInput, ProbeInfo } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { refOf } from './keys.svelte.ts';
import { Latest } from './latest.ts';

export class ChecksStore {
  probes = $state.raw<ProbeInfo[]>([]);
  /** The check shown: the latest one the person ran. */
  current = $state.raw<CheckView | null>(null);
  matrix = $state.raw<{ key: KeyRef; matrix: ScopeMatrix } | null>(null);
  /** "tenant/name" of stored keys being checked, "pasted" for a pasted key, "matrix" for a matrix. */
  readonly running = new SvelteSet<string>();
  error = $state.raw<ApiError | null>(null);
  private readonly latest = new Latest();

  async loadProbes(): Promise<void> {
    try {
      this.probes = await unwrap(api.checks.probes());
    } catch (error) {
      this.error = asApiError(error);
    }
  }

  /** Checks a stored key; its verdict is recorded by the main process, and shown here. */
  run(key: KeyRef, probe?: string): Promise<CheckView | null> {
    return this.track(refOf(key), () => unwrap(api.checks.run({ key: { tenant: key.tenant, name: key.name }, ...(probe ? { probe } : {}) })));
  }

  /** Checks a pasted key; the input (and the key in it) is not kept once the call is made. */
  paste(input: PastedKeyInput): Promise<CheckView | null> {
    return this.track('pasted', () => unwrap(api.checks.paste(input)));
  }

  async runMatrix(key: KeyRef): Promise<void> {
    const current = this.latest.begin();
    this.setRunning('matrix', true);
    try {
      const matrix = await unwrap(api.checks.matrix({ key: { tenant: key.tenant, name: key.name } }));
      if (current()) {
        this.matrix = { key, matrix };
        this.error = null;
      }
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      this.setRunning('matrix', false);
    }
  }

  /** Copies the redacted Markdown report of a check; the copy happens in the main process. */
  async copyReport(view: CheckView): Promise<void> {
    await unwrap(api.checks.copyReport({ id: view.id }));
  }

  private async track(what: string, call: () => Promise<CheckView>): Promise<CheckView | null> {
    const current = this.latest.begin();
    this.setRunning(what, true);
    try {
      const view = await call();
      if (current()) {
        this.current = view;
        this.error = null;
      }
      return view;
    } catch (error) {
      if (current()) this.error = asApiError(error);
      return null;
    } finally {
      this.setRunning(what, false);
    }
  }

  private setRunning(what: string, on: boolean): void {
    if (on) this.running.add(what);
    else this.running.delete(what);
  }
}
