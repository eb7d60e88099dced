/**
 * The server's own word on a stored key that got 401 or 403: the admin API is asked about that key
 * (one `GET /admin/apiKeys/{name}` per key per run, with the tenant's admin credential and never
 * with the key diagnosed), so a 401 says whether the key was deleted, disabled or its token replaced,
 * and a 403 what the key holds beside what the probe needed.
 */
import type { ServerWord } from '../../shared/check.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { KeyKnowledge } from './key-knowledge.ts';

/** The key a check diagnosed, as the vault holds it. */
export interface DiagnosedKey {
  id: string;
  tenant: string;
  fingerprint: string;
}

/** Asks the server about keys for one operation (a check, a bulk run): each key once. */
export class ServerAsker {
  private readonly asked = new Map<string, Promise<ServerWord>>();
  private readonly sources: { admin: Pick<AdminService, 'lookupKey'>; keys: Pick<KeyService, 'byId' | 'credentials'> };

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

  private async ask(diagnosed: DiagnosedKey, known: KeyKnowledge, redactor: Redactor): Promise<ServerWord> {
    const key = this.sources.keys.byId(diagnosed.id);
    if (!key) return { state: 'failed', reason: 'the entry was removed while it was checked' };
    const lookup = await this.sources.admin.lookupKey(diagnosed.tenant, key.remoteName, diagnosed.fingerprint, redactor);
    switch (lookup.kind) {
      case 'no-credential':
        return { state: 'no-credential', tenant: diagnosed.tenant };
      case 'self':
        return { state: 'self', tenant: diagnosed.tenant };
      case 'no-admin-api':
        return { state: 'no-admin-api', vendor: lookup.vendor, where: lookup.where };
      case 'failed':
        return { state: 'failed', reason: lookup.reason };
      case 'absent':
        // A name the vault only presumes (the entry's own): its absence says the link is missing, not that the key was deleted.
        return key.remoteNameKnown ? { state: 'deleted', remoteName: key.remoteName, credential: lookup.credential } : { state: 'unlinked', candidates: known.server?.unclaimed ?? [] };
      case 'found': {
        const { definition } = lookup;
        if (!definition.enabled) return { state: 'disabled', remoteName: key.remoteName, permissions: definition.permissions, credential: lookup.credential };
        const rotations = this.sources.keys.credentials().filter((credential) => credential.key_id === key.id).sort((a, b) => b.replaced_at.localeCompare(a.replaced_at));
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
