/**
 * The offline review as its screen shows it. Shape kept: ReviewReport (the whole review, read again on
 * demand: it is computed from the vault alone), for every tenant or one.
 */
import type { ExportFormat, ReviewReport, ReviewSettings, SignOff } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export class ReviewStore {
  tenant = $state<string | null>(null);
  report = $state.raw<ReviewReport | null>(null);
  loading = $state(false);
  error = $state.raw<ApiError | null>(null);
  signing = $state(false);
  private readonly latest = new Latest();

  async load(): Promise<void> {
    const current = this.latest.begin();
    this.loading = true;
    try {
      const report = await unwrap(api.review.report(this.tenant ? { tenant: this.tenant } : {}));
      if (current()) {
        this.report = report;
        this.error = null;
      }
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      if (current()) this.loading = false;
    }
  }

  async show(tenant: string | null): Promise<void> {
    this.tenant = tenant;
    await this.load();
  }

  async sign(reviewer: string, note: string): Promise<SignOff> {
    const signOff = await unwrap(api.review.sign({ reviewer, ...(note.trim() ? { note } : {}) }));
    await this.load();
    return signOff;
  }

  async saveSettings(settings: Partial<ReviewSettings>): Promise<void> {
    await unwrap(api.review.setSettings(settings));
    await this.load();
  }

  exportReview(format: ExportFormat): Promise<{ path: string | null; bytes: number }> {
    return unwrap(api.review.export({ format, ...(this.tenant ? { tenant: this.tenant } : {}) }));
  }
}
