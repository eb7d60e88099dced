/**
 * `tkv remote list|get|create|update|delete`: the tenant's keys on the server, through the ApiKeys
 * admin endpoints, with the tenant's admin credential from the vault.
 */
import type { AdminService, CreateOutcome, RemoteKeyView, RemoteListing } from '../../core/admin/admin-service.ts';
import { formatKeyRef, parseKeyRef } from '../../core/vault/key-ref.ts';
import { confirmed, list as splitList, parseCommand, text } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { fields, table } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { REMOTE_USAGE } from '../usage.ts';


export async function remoteCommand(args: string[], context: CommandContext): Promise<number> {
  const [verb, ...rest] = args;
  const run = { list, get, create, update, delete: remove }[verb as 'list'];
  if (!run) throw new UsageError(`unknown remote command ${quoteArgument(verb ?? '')}\nusage:\n  ${REMOTE_USAGE.join('\n  ')}`);
  return run(rest, context, context.services().admin);
}

async function list(args: string[], context: CommandContext, admin: AdminService): Promise<number> {
  const usage = REMOTE_USAGE[0]!;
  const parsed = parseCommand(args, { offline: { type: 'boolean' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const alias = parsed.positionals[0]!;
  const listing = parsed.values.offline ? await admin.lastSnapshot(alias) : await admin.remoteList(alias);
  if (!listing) {
    context.io.stderr.write(`tkv: no snapshot of ${alias}'s server keys yet; run \`tkv remote list ${alias}\` while online.\n`);
    return 1;
  }
  return context.print(listing, () => formatListing(listing), parsed);
}

async function get(args: string[], context: CommandContext, admin: AdminService): Promise<number> {
  const usage = REMOTE_USAGE[1]!;
  const parsed = parseCommand(args, {}, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const view = await admin.remoteGet(parseKeyRef(parsed.positionals[0]!));
  return context.print(view, () => formatView(view), parsed);
}

async function create(args: string[], context: CommandContext, admin: AdminService): Promise<number> {
  const usage = REMOTE_USAGE[2]!;
  const parsed = parseCommand(args, { scopes: { type: 'string' }, like: { type: 'string' }, disabled: { type: 'boolean' }, 'show-token': { type: 'boolean' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const ref = parseKeyRef(parsed.positionals[0]!);
  const scopes = splitList(text(parsed, 'scopes'));
  const like = text(parsed, 'like');
  if ((scopes === undefined) === (like === undefined)) throw new UsageError(`give exactly one of --scopes and --like\nusage: ${usage}`);
  const json = parsed.values.json === true;
  const outcome = await admin.remoteCreate(ref, { ...(scopes ? { scopes } : {}), ...(like ? { like: parseKeyRef(like) } : {}), enabled: parsed.values.disabled !== true }, { canShowToken: canShowToken(context, json) });
  if (!outcome.stored) return showOnce(context, ref.tenant, ref.name, outcome, json);
  const shown = parsed.values['show-token'] === true;
  const { token, ...rest } = outcome;
  const value = shown ? { ...rest, token } : rest;
  return context.print(value, () => {
    const lines = [`Created "${outcome.definition.name}" on the server (${outcome.definition.enabled ? 'enabled' : 'disabled'}; ${outcome.definition.permissions.join(', ')}) and stored its token as ${formatKeyRef(ref)} (fingerprint ${outcome.key.fingerprint}).`];
    if (shown) lines.push(token);
    else lines.push(`The token is in the keychain only; \`tkv key reveal ${formatKeyRef(ref)}\` shows it.`);
    return `${lines.join('\n')}\n`;
  }, parsed);
}

async function update(args: string[], context: CommandContext, admin: AdminService): Promise<number> {
  const usage = REMOTE_USAGE[3]!;
  const parsed = parseCommand(args, { enable: { type: 'boolean' }, disable: { type: 'boolean' }, scopes: { type: 'string' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  if (parsed.values.enable && parsed.values.disable) throw new UsageError(`choose --enable or --disable, not both\nusage: ${usage}`);
  const scopes = splitList(text(parsed, 'scopes'));
  const enabled = parsed.values.enable ? true : parsed.values.disable ? false : undefined;
  if (enabled === undefined && scopes === undefined) throw new UsageError(`nothing to change: give --enable, --disable or --scopes\nusage: ${usage}`);
  const ref = parseKeyRef(parsed.positionals[0]!);
  const updated = await admin.remoteUpdate(ref, { ...(enabled === undefined ? {} : { enabled }), ...(scopes ? { scopes } : {}) });
  return context.print(updated, () => `Updated "${updated.name}" on the server: ${updated.enabled ? 'enabled' : 'disabled'}; ${updated.permissions.join(', ')}.\n`, parsed);
}

async function remove(args: string[], context: CommandContext, admin: AdminService): Promise<number> {
  const usage = REMOTE_USAGE[4]!;
  const parsed = parseCommand(args, { yes: { type: 'boolean', short: 'y' } }, 1, usage);
  if (parsed.values.help) return context.usage(usage);
  const ref = parseKeyRef(parsed.positionals[0]!);
  // The tenant's own admin key: deleting it ends the vault's access to the tenant's keys too.
  const warning = await admin.deleteWarning(ref);
  if (warning && parsed.values.yes) context.io.stderr.write(`tkv: warning: ${warning}\n`);
  if (!(await confirmed(context, parsed.values.yes === true, `${warning ? `${warning}\n` : ''}Delete "${admin.remoteNameOf(ref)}" on the server (it stops working at once) and ${formatKeyRef(ref)} in the vault?`))) {
    context.io.stderr.write('Nothing deleted.\n');
    return 1;
  }
  const result = await admin.remoteDelete(ref);
  return context.print(result, () => `${result.wasOnServer ? `Deleted "${result.remoteName}" on the server` : `The server had no key "${result.remoteName}"`}${result.removedLocal ? `; removed ${formatKeyRef(ref)} and its keychain entry` : ''}.\n`, parsed);
}

/**
 * Whether a token the keychain refused could be shown to a person now, once: on a terminal (stdout,
 * or the controlling terminal when stdout is redirected), or in the JSON the caller asked for.
 * Otherwise core deletes the server key again rather than leave a token nobody holds.
 */
export function canShowToken(context: CommandContext, json: boolean): boolean {
  return json || context.io.stdout.isTTY === true || (context.io.terminal?.() ?? null) !== null;
}

/**
 * The keychain failed after the server created a key: the token is printed here, once, with a
 * warning on stderr. It goes to a terminal (stdout when it is one, else the controlling terminal),
 * never into a redirected stdout, unless --json asked for it there. Exit code 1: the key is not in
 * the vault. Callers ask `canShowToken` first.
 */
export function showOnce(context: CommandContext, tenant: string, name: string, outcome: Extract<CreateOutcome, { stored: false }> | { token: string; fingerprint: string; reason: string; remoteName: string }, json: boolean): number {
  const remoteName = 'definition' in outcome ? outcome.definition.name : outcome.remoteName;
  context.io.stderr.write(
    `tkv: WARNING: the server created "${remoteName}" for ${tenant}/${name}, but its token could NOT be stored in the keychain (${outcome.reason}).\n` +
      `The token is printed below, once, and is not kept anywhere: copy it to a safe place now. The incident is in the audit log (fingerprint ${outcome.fingerprint}).\n`,
  );
  if (json) {
    context.io.stdout.write(`${JSON.stringify({ stored: false, remoteName, token: outcome.token, fingerprint: outcome.fingerprint, reason: outcome.reason })}\n`);
    return 1;
  }
  const out = context.io.stdout.isTTY ? context.io.stdout : context.io.terminal?.();
  if (!out) throw new Error('showOnce needs a terminal; ask canShowToken first');
  out.write(`${outcome.token}\n`);
  return 1;
}

function formatListing(listing: RemoteListing): string {
  const rows = listing.keys.map((key) => [
    key.name,
    key.enabled ? 'enabled' : 'disabled',
    key.permissions.join(',') || '-',
    key.local ? `${formatKeyRef(key.local.ref)}${key.local.role === 'current' ? '' : ` (${key.local.role === 'previous' ? 'previous key' : 'rotation, not switched'})`}` : '-',
    key.local ? (key.local.hasSecret ? 'yes' : 'MISSING') : 'no',
    key.local?.permissionsDiffer ? `declared ${key.local.declaredScopes.join(',') || 'none'}` : '',
  ]);
  const lines = [`Server keys of ${listing.tenant} at ${listing.takenAt} (${listing.credential}; snapshot ${listing.snapshotId}):`, table(['SERVER KEY', 'STATE', 'PERMISSIONS', 'VAULT ENTRY', 'SECRET', 'DRIFT'], rows).trimEnd()];
  if (listing.missingOnServer.length > 0) {
    lines.push(`In the vault but not on the server: ${listing.missingOnServer.map((entry) => `${formatKeyRef(entry.ref)} ("${entry.remoteName}")`).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

function formatView(view: RemoteKeyView): string {
  return fields([
    ['Server key', view.name],
    ['State', view.enabled ? 'enabled' : 'disabled'],
    ['Permissions', view.permissions.join(', ') || '-'],
    ['Vault entry', view.local ? `${formatKeyRef(view.local.ref)} (${view.local.role})` : 'none'],
    ['Secret in keychain', view.local ? (view.local.hasSecret ? 'yes' : 'missing') : '-'],
    ['Declared scopes', view.local ? view.local.declaredScopes.join(', ') || '(none)' : '-'],
  ]);
}
