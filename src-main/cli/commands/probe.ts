/** `tkv probe list|add|remove`: the probe catalogue, and the user's own probes. */
import { VaultError } from '../../core/errors.ts';
import { toProbe } from '../../core/probe/check-service.ts';
import { probesFor, type Vendor } from '../../core/probe/catalogue.ts';
import { addCustomProbe } from '../../core/probe/custom-probes.ts';
import { parseCommand, text } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { PROBE_USAGE } from '../usage.ts';


export async function probeCommand(args: string[], context: CommandContext): Promise<number> {
  const [verb, ...rest] = args;
  const inventory = () => context.vault().inventory;
  if (verb === 'list') {
    const parsed = parseCommand(rest, { vendor: { type: 'string' } }, 0, PROBE_USAGE[0]!);
    if (parsed.values.help) return context.usage(PROBE_USAGE[0]!);
    const vendor = (text(parsed, 'vendor') ?? 'wallet-crew') as Vendor;
    const probes = probesFor(vendor, inventory().listCustomProbes().map(toProbe));
    return context.print(probes, () => table(['PROBE', 'REQUEST', 'SCOPE', 'RISK', 'WHAT IT RETURNS'], probes.map((p) => [p.id, `${p.method} ${p.path}`, p.scope ?? '-', p.risk, `${p.description}${p.custom ? ' (yours)' : ''}`])), parsed);
  }
  if (verb === 'add') {
    const parsed = parseCommand(
      rest,
      { path: { type: 'string' }, method: { type: 'string' }, scope: { type: 'string' }, risk: { type: 'string' }, vendor: { type: 'string' }, description: { type: 'string' } },
      1,
      PROBE_USAGE[1]!,
    );
    if (parsed.values.help) return context.usage(PROBE_USAGE[1]!);
    const path = text(parsed, 'path');
    if (!path) throw new UsageError(`--path is required\nusage: ${PROBE_USAGE[1]!}`);
    const optional = (name: string) => (text(parsed, name) === undefined ? {} : { [name]: text(parsed, name)! });
    const row = addCustomProbe(inventory(), { id: parsed.positionals[0]!, path, ...optional('method'), ...optional('scope'), ...optional('risk'), ...optional('vendor'), ...optional('description') });
    return context.print(row, () => `Added probe ${row.id}: ${row.method} ${row.path}${row.scope ? ` (needs ${row.scope})` : ''}.\n`, parsed);
  }
  if (verb === 'remove') {
    const parsed = parseCommand(rest, {}, 1, PROBE_USAGE[2]!);
    if (parsed.values.help) return context.usage(PROBE_USAGE[2]!);
    const id = parsed.positionals[0]!;
    if (!inventory().deleteCustomProbe(id)) throw new VaultError('NOT_FOUND', `No custom probe "${id}" (built-in probes cannot be removed).`);
    return context.print({ removed: id }, () => `Removed probe ${id}.\n`, parsed);
  }
  throw new UsageError(`unknown probe command ${quoteArgument(verb ?? '')}\nusage:\n  ${PROBE_USAGE.join('\n  ')}`);
}
