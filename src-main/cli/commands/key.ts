/** `tkv key add|list|show|reveal|remove`. */
import type { KeySummary } from '../../shared/contract.ts';
import { VaultError } from '../../core/errors.ts';
import { parseKeyRef, formatKeyRef } from '../../core/vault/key-ref.ts';
import { list as splitList, parseCommand, text } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { fields, table } from '../format.ts';
import { UsageError } from '../io.ts';
import { confirm, readSecret } from '../read-secret.ts';

export const KEY_USAGE = [
  'tkv key add ALIAS/NAME [--scopes a,b] [--notes TEXT] [--expires YYYY-MM-DD] [--owner TEXT] [--admin] [--json]   (secret on stdin or at the prompt)',
  'tkv key list [--tenant ALIAS] [--json]',
  'tkv key show ALIAS/NAME [--json]',
  'tkv key reveal ALIAS/NAME [--json]',
  'tkv key remove ALIAS/NAME [--yes] [--json]',
];

export async function keyCommand(args: string[], context: CommandContext): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'add':
      return add(rest, context);
    case 'list':
      return list(rest, context);
    case 'show':
      return show(rest, context);
    case 'reveal':
      return reveal(rest, context);
    case 'remove':
      return remove(rest, context);
    default:
      throw new UsageError(`unknown key command "${verb ?? ''}"\nusage:\n  ${KEY_USAGE.join('\n  ')}`);
  }
}

async function add(args: string[], context: CommandContext): Promise<number> {
  const usage = KEY_USAGE[0]!;
  const parsed = parseCommand(
    args,
    { scopes: { type: 'string' }, notes: { type: 'string' }, expires: { type: 'string' }, owner: { type: 'string' }, admin: { type: 'boolean' } },
    1,
    usage,
  );
  if (parsed.values.help) return context.usage(usage);
  const ref = parseKeyRef(parsed.positionals[0]!);
  const vault = context.vault();
  // Fail on an unknown tenant or a taken name before asking for the secret.
  if (vault.listKeys({ tenant: ref.tenant }).some((key) => key.name === ref.name)) {
    throw new VaultError('ALREADY_EXISTS', `Key ${formatKeyRef(ref)} already exists; choose another name or remove it first.`);
  }
  const secret = await readSecret(context.io, `API key for ${formatKeyRef(ref)} (input hidden): `);
  const scopes = splitList(text(parsed, 'scopes'));
  const key = await vault.addKey({
    ...ref,
    secret,
    ...(scopes ? { scopes } : {}),
    ...optional('notes', text(parsed, 'notes')),
    ...optional('expiresOn', text(parsed, 'expires')),
    ...optional('owner', text(parsed, 'owner')),
    admin: parsed.values.admin === true,
  });
  return context.print(key, () => `Stored ${formatKeyRef(key)} in the OS keychain (fingerprint ${key.fingerprint}).\n`, parsed);
}

async function list(args: string[], context: CommandContext): Promise<number> {
  const usage = KEY_USAGE[1]!;
  const parsed = parseCommand(args, { tenant: { type: 'string' } }, 0, usage);
  if (parsed.values.help) return context.usage(usage);
  const tenant = text(parsed, 'tenant');
  const keys = context.vault().listKeys(tenant === undefined ? {} : { tenant });
  return context.print(keys, () => formatKeys(keys), parsed);
}

async function show(args: string[], context: CommandContext): Promise<number> {
  const usage = KEY_USAGE[2]!;
  const parsed = parseCommand(args, {}, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const key = context.vault().showKey(parseKeyRef(parsed.positionals[0]!));
  return context.print(key, () => formatKey(key), parsed);
}

async function reveal(args: string[], context: CommandContext): Promise<number> {
  const usage = KEY_USAGE[3]!;
  const parsed = parseCommand(args, {}, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const ref = parseKeyRef(parsed.positionals[0]!);
  const secret = await context.vault().revealKey(ref);
  if (context.io.stdout.isTTY) context.io.stderr.write(`The key for ${formatKeyRef(ref)} follows; this reveal is recorded in the audit log. Mind screen sharing.\n`);
  return context.print({ ...ref, secret }, () => `${secret}\n`, parsed);
}

async function remove(args: string[], context: CommandContext): Promise<number> {
  const usage = KEY_USAGE[4]!;
  const parsed = parseCommand(args, { yes: { type: 'boolean', short: 'y' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const ref = parseKeyRef(parsed.positionals[0]!);
  const vault = context.vault();
  const key = vault.showKey(ref);
  if (!parsed.values.yes && context.io.stdin.isTTY) {
    const sure = await confirm(context.io, `Remove ${formatKeyRef(ref)} (fingerprint ${key.fingerprint}) and its secret from the keychain?`);
    if (!sure) {
      context.io.stderr.write('Nothing removed.\n');
      return 1;
    }
  }
  await vault.removeKey(ref);
  return context.print({ removed: ref }, () => `Removed ${formatKeyRef(ref)} and its keychain entry.\n`, parsed);
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

function formatKeys(keys: KeySummary[]): string {
  if (keys.length === 0) return 'No keys yet. Add one with: tkv key add ALIAS/NAME --scopes a,b (then paste the key)\n';
  return table(
    ['KEY', 'SCOPES', 'FINGERPRINT', 'EXPIRES', 'LAST VERDICT', 'NOTE'],
    keys.map((key) => [
      formatKeyRef(key),
      key.scopes.join(',') || '-',
      key.fingerprint,
      key.expiresOn ? `${key.expiresOn}${key.expired ? ' (expired)' : ''}` : '-',
      key.lastVerdict ?? 'never checked',
      key.admin ? 'admin credential' : '',
    ]),
  );
}

function formatKey(key: KeySummary): string {
  return fields([
    ['Key', formatKeyRef(key)],
    ['Server name', key.remoteName],
    ['Fingerprint', key.fingerprint],
    ['Scopes', key.scopes.join(', ') || '(none declared)'],
    ['Admin credential', key.admin ? 'yes' : 'no'],
    ['Enabled', key.enabled ? 'yes' : 'no'],
    ['Created', key.createdAt],
    ['Rotated', key.rotatedAt ?? 'never'],
    ['Expires', key.expiresOn ? `${key.expiresOn}${key.expired ? ' (expired)' : ''}` : 'never'],
    ['Owner', key.owner ?? '-'],
    ['Notes', key.notes ?? '-'],
    ['Last verdict', key.lastVerdict ? `${key.lastVerdict} at ${key.lastCheckedAt}` : 'never checked'],
    ['Keychain account', key.secretAccount],
  ]);
}
