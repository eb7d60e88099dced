/**
 * The offline review and the audit log as their screens show them. Shapes kept: ReviewReport (the
 * whole review, read again on demand: it is computed from the vault alone), a page of AuditRecord.
 */
import type { AuditQuery, AuditRecord, AuditVerdict, ExportFormat, ReviewReport, ReviewSettings, SignOff } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export const AUDIT_PAGE = 50;

export class ReviewStore {
  tenant = $state<string | null>(null);
  report = $state.raw<ReviewReport | null>(null);
  loading = $state(false);
  error = $state.raw<ApiError | null>(null);
  signing = $state(false);
  /** The audit screen: its filter, its page, and the chain's last verdict. */
  auditQuery = $state.raw<AuditQuery>({});
  auditOffset = $state(0);
  audit = $state.raw<{ entries: AuditRecord[]; total: number } | null>(null);
  verdict = $state.raw<AuditVerdict | null>(null);
  private readonly latest = new Latest();
  private readonly latestAudit = new Latest();

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

  async loadAudit(): Promise<void> {
    const current = this.latestAudit.begin();
    try {
      const page = await unwrap(api.audit.list({ query: this.auditQuery, offset: this.auditOffset, limit: AUDIT_PAGE }));
      if (current()) {
        this.audit = page;
        this.error = null;
      }
    } catch (error) {
      if (current()) this.error = asApiError(error);
    }
  }

  filterAudit(query: AuditQuery): Promise<void> {
    this.auditQuery = query;
    this.auditOffset = 0;
    return this.loadAudit();
  }

  pageAudit(offset: number): Promise<void> {
    this.auditOffset = Math.max(0, offset);
    return this.loadAudit();
  }

  async verify(): Promise<AuditVerdict> {
    this.verdict = await unwrap(api.audit.verify());
    return this.verdict;
  }

  exportAudit(format: 'csv' | 'json'): Promise<{ path: string | null; bytes: number }> {
    return unwrap(api.audit.export({ query: this.auditQuery, format }));
  }
}
