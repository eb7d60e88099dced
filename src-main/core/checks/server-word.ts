/**
 * The server's own word on a stored key that got 401 or 403: the admin API is asked about that key
 * (one `GET /admin/apiKeys/{name}` per key per run, with the tenant's admin credential and never
 * with the key diagnosed), so a 401 says whether the key was deleted, disabled or its token replaced,
 * and a 403 what the key holds beside what the probe needed.
 */
import type { CheckResult, RefusalWord, ServerWord } from '../../shared/check.ts';
import type { Remedy } from '../../shared/remedies.ts';
import type { AdminAccess, AdminService } from '../admin/admin-service.ts';
import { lookupKey } from '../admin/key-lookup.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { KeyKnowledge } from './key-knowledge.ts';

/** The key a check diagnosed, as the vault holds it. */
export interface DiagnosedKey {
  id: string;
  tenant: string;
  name: string;
  fingerprint: string;
  /** Its name on the server, known or presumed (its own). */
  remoteName: string;
  remoteNameKnown: boolean;
  admin: boolean;
  scopes: string[];
}

/** Asks the server about keys for one operation (a check, a bulk run): each key once, each tenant's admin client made once. */
export class ServerAsker {
  private readonly asked = new Map<string, Promise<ServerWord>>();
  private readonly access = new Map<string, Promise<AdminAccess>>();
  private readonly sources: { admin: Pick<AdminService, 'adminAccess'>; keys: Pick<KeyService, 'credentials'> };

  constructor(sources: ServerAsker['sources']) {
    this.sources = sources;
  }

  /** The server's word on `key`, asked once per operation; `known` gives the likely server keys of an unlinked one. */
  wordOn(key: DiagnosedKey, known: KeyKnowledge, redactor: Redactor): Promise<ServerWord> {
    let word = this.asked.get(key.id);
    if (!word) {
      word = this.ask(key, known, redactor);
      this.asked.set(key.id, word);
    }
    return word;
  }

  /** The tenant's admin client; an admin key diagnosed gets one without itself. */
  private accessFor(tenant: string, admin: boolean, fingerprint: string): Promise<AdminAccess> {
    const id = `${tenant}\n${admin ? fingerprint : ''}`;
    let access = this.access.get(id);
    if (!access) {
      access = this.sources.admin.adminAccess(tenant, fingerprint);
      this.access.set(id, access);
    }
    return access;
  }

  private async ask(key: DiagnosedKey, known: KeyKnowledge, redactor: Redactor): Promise<ServerWord> {
    const lookup = await lookupKey(await this.accessFor(key.tenant, key.admin, key.fingerprint), key.remoteName, redactor);
    switch (lookup.kind) {
      case 'no-credential': {
        // Keys that could be marked admin, never the key diagnosed (it was just refused).
        const markable = lookup.markable.filter((candidate) => candidate.key.name !== key.name).slice(0, 2);
        return { state: 'no-credential', tenant: key.tenant, ...(markable.length > 0 ? { markable } : {}) };
      }
      case 'self':
        return { state: 'self', tenant: key.tenant };
      case 'no-admin-api':
        return { state: 'no-admin-api', vendor: lookup.vendor, where: lookup.where };
      case 'failed': {
        // What would let the lookup succeed: a working credential, or asking again later.
        const later: Remedy[] = [{ code: 'ask-server-again', key: { tenant: key.tenant, name: key.name } }];
        return { state: 'failed', reason: lookup.reason, remedies: lookup.remedies?.length ? lookup.remedies : later };
      }
      case 'absent':
        // A name the vault only presumes (the entry's own): its absence says the link is missing, not that the key was deleted.
        return key.remoteNameKnown ? { state: 'deleted', remoteName: key.remoteName, credential: lookup.credential } : { state: 'unlinked', candidates: known.server?.unclaimed ?? [] };
      case 'found': {
        const { definition } = lookup;
        if (!definition.enabled) return { state: 'disabled', remoteName: key.remoteName, permissions: definition.permissions, credential: lookup.credential };
        const rotations = this.sources.keys.credentials(key.id).sort((a, b) => b.replaced_at.localeCompare(a.replaced_at));
        const last = rotations[0];
        const declared = key.scopes.filter((scope) => scope !== '*');
        return {
          state: 'enabled',
          remoteName: key.remoteName,
          permissions: definition.permissions,
          credential: lookup.credential,
          lastRotation: last ? { at: last.replaced_at, previousName: last.remote_name } : null,
          declaredOnly: key.scopes.includes('*') ? [] : declared.filter((scope) => !definition.permissions.includes(scope) && !definition.permissions.includes('*')),
          serverOnly: key.scopes.includes('*') ? [] : definition.permissions.filter((permission) => !key.scopes.includes(permission)),
        };
      }
    }
  }
}

/** The server's word on a refused check, as the vault keeps it; null when it settled nothing (not asked, failed, unlinked…). */
export function refusalWord(result: Pick<CheckResult, 'verdict' | 'server' | 'probe'>): RefusalWord | null {
  const server = result.server;
  if ((result.verdict !== 'unauthorized' && result.verdict !== 'forbidden') || !server) return null;
  // What the probe needed matters to a 403 only: a 401 refused the key itself.
  const needed = result.verdict === 'forbidden' ? result.probe.scope : null;
  if (server.state === 'deleted') return { state: 'deleted', remoteName: server.remoteName, permissions: null, needed };
  if (server.state === 'disabled' || server.state === 'enabled') return { state: server.state, remoteName: server.remoteName, permissions: server.permissions, needed };
  return null;
}
