import type { KeyRef } from '../../shared/contract.ts';
import { checkName } from '../../shared/rules.ts';
import { assertRule, VaultError } from '../errors.ts';

/** Parses `ALIAS/NAME`, the way the CLI names a stored key. */
export function parseKeyRef(text: string): KeyRef {
  const parts = text.split('/');
  if (parts.length !== 2) {
    // The text is not repeated: a key pasted where its name was meant must not be echoed.
    throw new VaultError('INVALID_INPUT', 'That does not name a key; write it as TENANT-ALIAS/KEY-NAME, e.g. acme-prod/crm-sync.');
  }
  const [tenant, name] = parts as [string, string];
  assertRule(checkName(tenant, 'Tenant alias'));
  assertRule(checkName(name, 'Key name'));
  return { tenant, name };
}

/** `ALIAS/NAME`. */
export function formatKeyRef(ref: KeyRef): string {
  return `${ref.tenant}/${ref.name}`;
}
