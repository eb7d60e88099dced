/**
 * The audit log as a reviewer reads it: filtered pages, the whole of a filter for an export, and the
 * chain's verdict. Entries never hold a secret (the vault records fingerprints and names only).
 */
import type { AuditQuery, AuditRecord, AuditVerdict } from '../../shared/contract.ts';
import { VaultError } from '../errors.ts';
import { verifyAuditChain } from '../inventory/audit-chain.ts';
import type { VaultService } from '../vault/vault-service.ts';

/** Names a person may use for an action, as the log records it. */
const ACTION_ALIASES: Record<string, string> = { checked: 'validated', removed: 'deleted' };

export class AuditLog {
  private readonly vault: VaultService;

  constructor(options: { vault: VaultService }) {
    this.vault = options.vault;
  }

  page(query: AuditQuery, offset: number, limit: number): { entries: AuditRecord[]; total: number } {
    const { rows, total } = this.vault.inventory.auditPage(this.filter(query), offset, limit);
    return { entries: rows.map((row) => ({ id: row.id, at: row.at, actor: row.actor, action: row.action, tenant: row.tenant, keyName: row.keyName, fingerprint: row.fingerprint, detail: row.detail })), total };
  }

  /** Every entry a query keeps, newest first (an export). */
  all(query: AuditQuery): AuditRecord[] {
    return this.page(query, 0, 1_000_000).entries;
  }

  verify(): AuditVerdict {
    const { intact, entries, broken } = verifyAuditChain(this.vault.inventory.db);
    return { intact, entries, broken };
  }

  private filter(query: AuditQuery): Parameters<VaultService['inventory']['auditPage']>[0] {
    let since: string | undefined;
    if (query.since !== undefined) {
      const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(query.since) ? `${query.since}T00:00:00Z` : query.since);
      if (Number.isNaN(parsed)) throw new VaultError('INVALID_INPUT', `Since: "${query.since}" is not a date; give YYYY-MM-DD or an ISO 8601 time.`);
      since = new Date(parsed).toISOString();
    }
    return {
      ...(query.key ? { tenant: query.key.tenant, keyName: query.key.name } : {}),
      ...(query.action ? { action: ACTION_ALIASES[query.action] ?? query.action } : {}),
      ...(since ? { since } : {}),
      ...(query.search ? { search: query.search } : {}),
    };
  }
}
