/**
 * A large inventory written straight into SQLite, for the key table's tests and benchmark: tenants,
 * keys with varied metadata (owners, notes, scopes, expiries, admin marks) and last verdicts. The
 * keys have no keychain entry (50,000 keychain writes would take minutes): only the table reads
 * them. Deterministic, so that runs compare; each field drawn apart from the others (a hash of the
 * key's number and the field), so that no field follows another, nor the names' order, by accident.
 */
import { createHash } from 'node:crypto';
import { openInventoryDatabase } from '../../src-main/core/db/database.ts';
import { isJudgement, type Verdict } from '../../src-main/shared/verdicts.ts';

const TEAMS = ['CRM team', 'Loyalty squad', 'Payments', 'Data platform', 'Support tools', null];
const SCOPE_SETS = [['Pass.Read'], ['Pass.Read', 'Pass.Write'], ['tenant.core:read'], ['*'], ['Secret.Read', 'Webhook.Read'], ['tenant.apiKey:read', 'tenant.apiKey:write'], []];
/** Last verdicts as a real inventory has them: mostly valid, a few of each problem. */
const VERDICT_MIX: Verdict[] = ['valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'authenticated', 'unauthorized', 'forbidden', 'not_found', 'network_error', 'timeout', 'throttled', 'server_error'];
const PURPOSES = ['nightly export', 'store scanner', 'CRM sync', 'webhook relay', 'reporting', 'migration — remove after go-live'];

/** A number in [0, n) drawn for key `index` and `field`: the same every run, unrelated across fields. */
function draw(index: number, field: string, n: number): number {
  let hash = 2166136261 ^ index;
  for (const char of field) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  hash = Math.imul(hash ^ (hash >>> 15), 2246822507);
  hash = Math.imul(hash ^ (hash >>> 13), 3266489909);
  return ((hash ^ (hash >>> 16)) >>> 0) % n;
}

export interface SeededInventory {
  tenants: string[];
  keys: number;
}

/** Adds `keys` keys spread over `tenants` tenants (named `seed-00`…) to the inventory in `file`. */
export function seedInventory(file: string, options: { keys: number; tenants?: number; today?: string }): SeededInventory {
  const db = openInventoryDatabase(file);
  const tenantCount = options.tenants ?? 20;
  const today = Date.parse(`${options.today ?? new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  const day = (offset: number) => new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
  const tenants = Array.from({ length: tenantCount }, (_, index) => `seed-${String(index).padStart(2, '0')}`);
  const addTenant = db.prepare("INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z')");
  const addKey = db.prepare(
    'INSERT INTO keys (id, tenant_ref, name, scopes, enabled, is_admin, fingerprint, created_at, expires_on, notes, owner, secret_account) VALUES (@id, @tenant, @name, @scopes, @enabled, @admin, @fingerprint, @created, @expires, @notes, @owner, @id)',
  );
  const addStatus = db.prepare('INSERT INTO key_status (key_id, last_verdict, last_checked_at, last_attempt, last_attempt_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    tenants.forEach((alias, index) => addTenant.run(`tenant-${alias}`, alias, `t${index}`, index % 3 === 0 ? 'staging' : 'production', index % 3 === 0 ? 'https://staging.example.test' : 'https://api.example.test'));
    for (let index = 0; index < options.keys; index += 1) {
      const id = `seed-key-${index}`;
      const purpose = PURPOSES[draw(index, 'purpose', PURPOSES.length)]!;
      addKey.run({
        id,
        // The first keys are each tenant's admin credential.
        tenant: `tenant-${tenants[index < tenantCount ? index : draw(index, 'tenant', tenantCount)]}`,
        name: `${purpose.split(' ')[0]!.toLowerCase()}-${index}`,
        scopes: JSON.stringify(SCOPE_SETS[draw(index, 'scopes', SCOPE_SETS.length)]),
        enabled: draw(index, 'enabled', 11) === 0 ? 0 : 1,
        admin: index < tenantCount ? 1 : 0,
        fingerprint: createHash('sha256').update(id).digest('hex').slice(0, 16),
        created: new Date(Date.parse('2025-01-01T00:00:00Z') + index * 60_000).toISOString(),
        expires: draw(index, 'expires', 5) === 0 ? null : day(draw(index, 'expiry', 97) - 20),
        notes: draw(index, 'notes', 4) === 0 ? null : `${purpose} for store ${draw(index, 'store', 300)}`,
        owner: TEAMS[draw(index, 'owner', TEAMS.length)],
      });
      if (draw(index, 'checked', 3) !== 0) {
        const verdict = VERDICT_MIX[draw(index, 'verdict', VERDICT_MIX.length)]!;
        const at = `${day(-draw(index, 'checked-at', 40))}T09:00:00.000Z`;
        addStatus.run(id, isJudgement(verdict) ? verdict : null, isJudgement(verdict) ? at : null, verdict, at);
      }
    }
  })();
  db.close();
  return { tenants, keys: options.keys };
}
