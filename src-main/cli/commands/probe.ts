/** `tkv probe list|add|remove`: the probe catalogue, and the user's own probes (declared in command-table.ts). */
import { VaultError } from '../../core/errors.ts';
import type { Vendor } from '../../core/vendors/vendor.ts';
import { text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';

export async function list(parsed: Parsed, context: CommandContext): Promise<number> {
  const vendor = (text(parsed, 'vendor') ?? 'wallet-crew') as Vendor;
  const probes = context.services().checks.probes(vendor);
  return context.print(probes, () => table(['PROBE', 'REQUEST', 'SCOPE', 'RISK', 'WHAT IT RETURNS'], probes.map((p) => [p.id, `${p.method} ${p.path}`, p.scope ?? '-', p.risk, `${p.description}${p.custom ? ' (yours)' : ''}`])), parsed);
}

export async function add(parsed: Parsed, context: CommandContext): Promise<number> {
  const path = text(parsed, 'path');
  if (!path) throw new UsageError("--path is required: what the probe GETs, e.g. '/api/{tenantId}/webhooks?pageSize=1'");
  const optional = (name: string) => (text(parsed, name) === undefined ? {} : { [name]: text(parsed, name)! });
  const row = context.services().checks.addProbe({ id: parsed.positionals[0]!, path, ...optional('method'), ...optional('scope'), ...optional('risk'), ...optional('vendor'), ...optional('description') });
  return context.print(row, () => `Added probe ${row.id}: ${row.method} ${row.path}${row.scope ? ` (needs ${row.scope})` : ''}.\n`, parsed);
}

export async function remove(parsed: Parsed, context: CommandContext): Promise<number> {
  const id = parsed.positionals[0]!;
  if (!context.services().checks.removeProbe(id)) throw new VaultError('NOT_FOUND', `No probe of yours is called ${quoteArgument(id)} (built-in probes cannot be removed; tkv probe list shows them all).`);
  return context.print({ removed: id }, () => `Removed probe ${id}.\n`, parsed);
}
