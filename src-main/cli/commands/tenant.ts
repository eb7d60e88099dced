/** `tkv tenant add|list|remove`. */
import type { Tenant } from '../../shared/contract.ts';
import { confirmed, parseCommand, text } from '../args.ts';
import { table } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';
import type { CommandContext } from '../context.ts';
import { readSecret } from '../read-secret.ts';
import { TENANT_USAGE } from '../usage.ts';


export async function tenantCommand(args: string[], context: CommandContext): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'add':
      return add(rest, context);
    case 'list':
      return list(rest, context);
    case 'remove':
      return remove(rest, context);
    case 'bearer':
      return bearer(rest, context);
    default:
      throw new UsageError(`unknown tenant command ${quoteArgument(verb ?? '')}\nusage:\n  ${TENANT_USAGE.join('\n  ')}`);
  }
}

async function add(args: string[], context: CommandContext): Promise<number> {
  const usage = TENANT_USAGE[0]!;
  const parsed = parseCommand(
    args,
    { 'tenant-id': { type: 'string' }, env: { type: 'string' }, 'base-url': { type: 'string' }, label: { type: 'string' }, provider: { type: 'string' }, 'client-id': { type: 'string' }, 'login-as': { type: 'string' } },
    1,
    usage,
  );
  if (parsed.values.help) return context.usage(usage);
  const tenantId = text(parsed, 'tenant-id');
  const provider = text(parsed, 'provider') ?? 'wallet-crew';
  if (provider !== 'wallet-crew' && provider !== 'airwallex') throw new UsageError(`--provider must be wallet-crew or airwallex\nusage: ${usage}`);
  // Airwallex calls its staging environment "demo".
  const env = provider === 'airwallex' && text(parsed, 'env') === 'demo' ? 'staging' : text(parsed, 'env');
  const baseUrl = text(parsed, 'base-url');
  if (!tenantId) throw new UsageError(`--tenant-id is required\nusage: ${usage}`);
  if ((env === undefined) === (baseUrl === undefined)) throw new UsageError(`give exactly one of --env and --base-url\nusage: ${usage}`);
  if (env !== undefined && env !== 'production' && env !== 'staging') {
    throw new UsageError(`--env must be production or staging (got ${quoteArgument(env)}); for anything else use --base-url\nusage: ${usage}`);
  }
  const tenant = context.vault().addTenant({
    alias: parsed.positionals[0]!,
    tenantId,
    environment: env ?? 'custom',
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(text(parsed, 'label') === undefined ? {} : { label: text(parsed, 'label')! }),
    provider,
    ...(text(parsed, 'client-id') === undefined ? {} : { clientId: text(parsed, 'client-id')! }),
    ...(text(parsed, 'login-as') === undefined ? {} : { loginAs: text(parsed, 'login-as')! }),
  });
  return context.print(tenant, () => `Added tenant ${tenant.alias} (${tenant.tenantId} at ${tenant.baseUrl}).\n`, parsed);
}

async function list(args: string[], context: CommandContext): Promise<number> {
  const usage = TENANT_USAGE[1]!;
  const parsed = parseCommand(args, {}, 0, usage);
  if (parsed.values.help) return context.usage(usage);
  const tenants = context.vault().listTenants();
  return context.print(tenants, () => formatTenants(tenants), parsed);
}

async function remove(args: string[], context: CommandContext): Promise<number> {
  const usage = TENANT_USAGE[2]!;
  const parsed = parseCommand(args, { 'with-keys': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const alias = parsed.positionals[0]!;
  const held = context.vault().listTenants().find((tenant) => tenant.alias === alias)?.keyCount ?? 0;
  if (parsed.values['with-keys'] && held > 0 && !(await confirmed(context, parsed.values.yes === true, `Remove tenant ${alias} and its ${held} key(s), keychain entries included?`))) {
    context.io.stderr.write('Nothing removed.\n');
    return 1;
  }
  const result = await context.vault().removeTenant(alias, { withKeys: parsed.values['with-keys'] === true });
  return context.print({ alias, ...result }, () => `Removed tenant ${alias}${result.removedKeys ? ` and its ${result.removedKeys} key(s)` : ''}.\n`, parsed);
}

/** Keeps (or clears) a pasted OAuth bearer token for the tenant's admin calls, in the keychain. */
async function bearer(args: string[], context: CommandContext): Promise<number> {
  const usage = TENANT_USAGE[3]!;
  const parsed = parseCommand(args, { 'expires-at': { type: 'string' }, clear: { type: 'boolean' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const alias = parsed.positionals[0]!;
  const vault = context.vault();
  if (parsed.values.clear) {
    if (text(parsed, 'expires-at') !== undefined) throw new UsageError(`--clear takes no --expires-at\nusage: ${usage}`);
    const deleted = await vault.clearBearer(alias);
    return context.print({ alias, cleared: deleted }, () => (deleted ? `Removed the bearer token of ${alias} from the keychain.\n` : `${alias} had no bearer token in the keychain.\n`), parsed);
  }
  vault.requireTenant(alias);
  const token = await readSecret(context.io, `OAuth access token for ${alias}'s admin calls (input hidden): `);
  const result = await vault.setBearer(alias, token, text(parsed, 'expires-at') ?? null);
  return context.print({ alias, ...result }, () => `Stored the bearer token of ${alias} in the OS keychain${result.expiresAt ? `; it expires at ${result.expiresAt}` : ' (expiry unknown)'}. Admin calls use it while ${alias} has no key marked --admin.\n`, parsed);
}

function formatTenants(tenants: Tenant[]): string {
  if (tenants.length === 0) return 'No tenants yet. Add one with: tkv tenant add ALIAS --tenant-id ID --env production\n';
  return table(
    ['ALIAS', 'TENANT ID', 'ENVIRONMENT', 'BASE URL', 'KEYS', 'LABEL'],
    tenants.map((t) => [t.alias, t.tenantId, t.environment, t.baseUrl, String(t.keyCount), t.label ?? '']),
  );
}
