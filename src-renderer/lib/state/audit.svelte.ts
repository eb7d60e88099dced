/**
 * The audit log as its screen shows it: a filter, a page of entries (newest first), and the hash
 * chain's last verdict. Shapes kept: AuditQuery, one page of AuditRecord with the total, AuditVerdict.
 */
import type { AuditQuery, AuditRecord, AuditVerdict } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export const AUDIT_PAGE = 50;

export class AuditStore {
  query = $state.raw<AuditQuery>({});
  offset = $state(0);
  /** The page shown; null until read, and again once the vault changed while the screen was not shown. */
  page = $state.raw<{ entries: AuditRecord[]; total: number } | null>(null);
  verdict = $state.raw<AuditVerdict | null>(null);
  error = $state.raw<ApiError | null>(null);
  private readonly latest = new Latest();

  async load(): Promise<void> {
    const current = this.latest.begin();
    try {
      const page = await unwrap(api.audit.list({ query: this.query, offset: this.offset, limit: AUDIT_PAGE }));
      if (current()) {
        this.page = page;
        this.error = null;
      }
    } catch (error) {
      if (current()) this.error = asApiError(error);
    }
  }

  filter(query: AuditQuery): Promise<void> {
    this.query = query;
    this.offset = 0;
    return this.load();
  }

  turnTo(offset: number): Promise<void> {
    this.offset = Math.max(0, offset);
    return this.load();
  }

  async verify(): Promise<AuditVerdict> {
    this.verdict = await unwrap(api.audit.verify());
    return this.verdict;
  }

  exportLog(format: 'csv' | 'json'): Promise<{ path: string | null; bytes: number }> {
    return unwrap(api.audit.export({ query: this.query, format }));
  }
}
