/**
 * An answer a part of the page asks the main process for, again when the person (or a timer) asks:
 * the newest answer is kept, a slower older one never overwrites it, and its failure is shown in
 * its place. For one part's own question (a key's use, a rotation's overlap), not a domain's store.
 */
import { asApiError, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export class Asked<T> {
  value = $state.raw<T | null>(null);
  error = $state.raw<ApiError | null>(null);
  loading = $state(false);
  private readonly latest = new Latest();
  private readonly ask: () => Promise<T>;

  constructor(ask: () => Promise<T>) {
    this.ask = ask;
  }

  async load(): Promise<void> {
    const current = this.latest.begin();
    this.loading = true;
    try {
      const answer = await this.ask();
      if (current()) {
        this.value = answer;
        this.error = null;
      }
    } catch (caught) {
      if (current()) this.error = asApiError(caught);
    } finally {
      if (current()) this.loading = false;
    }
  }
}
