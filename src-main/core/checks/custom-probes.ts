/** The user's own probes: GET or HEAD only, a path under the base URL, kept in the inventory. */
import { checkName, checkProbePath, checkScopes, checkText } from '../../shared/rules.ts';
import type { ProbeRisk } from '../../shared/check.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { Vendor } from '../vendors/vendor.ts';
import { PROBE_VENDORS, probesFor } from '../vendors/vendors.ts';
import type { CheckStore, CustomProbeRow } from './check-store.ts';

const RISKS: ProbeRisk[] = ['none', 'low', 'medium', 'high'];

export interface NewProbeInput {
  id: string;
  path: string;
  method?: string;
  scope?: string;
  risk?: string;
  vendor?: string;
  description?: string;
}

export function addCustomProbe(store: CheckStore, input: NewProbeInput): CustomProbeRow {
  assertRule(checkName(input.id, 'Probe id'));
  const vendor = (input.vendor ?? 'wallet-crew') as Vendor;
  if (!PROBE_VENDORS.includes(vendor)) throw new VaultError('INVALID_INPUT', `Vendor must be one of ${PROBE_VENDORS.join(', ')}.`);
  const method = (input.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') throw new VaultError('INVALID_INPUT', 'A probe must be harmless: only GET and HEAD are allowed.');
  assertRule(checkProbePath(input.path));
  if (input.description !== undefined) assertRule(checkText(input.description, 'Description'));
  if (input.scope !== undefined && input.scope.trim() !== '') assertRule(checkScopes([input.scope.trim()]));
  const risk = (input.risk ?? 'low') as ProbeRisk;
  if (!RISKS.includes(risk)) throw new VaultError('INVALID_INPUT', `Risk must be one of ${RISKS.join(', ')}.`);
  if (probesFor(vendor).some((probe) => probe.id === input.id) || store.listCustomProbes().some((probe) => probe.id === input.id)) {
    throw new VaultError('ALREADY_EXISTS', `A probe named "${input.id}" already exists.`);
  }
  const row: CustomProbeRow = { id: input.id, vendor, method, path: input.path, scope: input.scope?.trim() || null, risk, description: input.description ?? '' };
  store.insertCustomProbe(row);
  return row;
}
