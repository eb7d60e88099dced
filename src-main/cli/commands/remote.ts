/**
 * `tkv remote list|get|create|update|delete`: the tenant's keys on the server, through the ApiKeys
 * admin endpoints, with the tenant's admin credential from the vault (declared in command-table.ts).
 */
import type { CreateOutcome, RemoteKeyView, RemoteListing } from '../../core/admin/admin-service.ts';
import { formatKeyRef, parseKeyRef } from '../../core/keys/key-ref.ts';
import { confirmed, list as splitList, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { fields, table } from '../format.ts';
import { UsageError } from '../io.ts';
import { confirm } from '../read-secret.ts';
import { errorText } from '../remedies.ts';
import { toErrorInfo, VaultError } from '../../core/errors.ts';


export async function list(parsed: Parsed, context: CommandContext): Promise<number> {
  const { admin } = context.services();
  const alias = parsed.positionals[0]!;
  const listing = parsed.values.offline ? await admin.lastSnapshot(alias) : await admin.remoteList(alias);
  if (!listing) {
    context.io.stderr.write(`tkv: no snapshot of ${alias}'s server keys yet; run \`tkv remote list ${alias}\` while online.\n`);
    return 1;
  }
  return context.print(listing, () => formatListing(listing), parsed);
}

export async function get(parsed: Parsed, context: CommandContext): Promise<number> {
  const { admin } = context.services();
  const view = await admin.remoteGet(parseKeyRef(parsed.positionals[0]!));
  return context.print(view, () => formatView(view), parsed);
}

export async function create(parsed: Parsed, context: CommandContext): Promise<number> {
  const { admin } = context.services();
  const ref = parseKeyRef(parsed.positionals[0]!);
  const scopes = splitList(text(parsed, 'scopes'));
  const like = text(parsed, 'like');
  if ((scopes === undefined) === (like === undefined)) throw new UsageError('give exactly one of --scopes and --like');
  const json = parsed.values.json === true;
  let outcome;
  try {
    outcome = await admin.remoteCreate(ref, { ...(scopes ? { scopes } : {}), ...(like ? { like: parseKeyRef(like) } : {}), enabled: parsed.values.disabled !== true }, { canShowToken: canShowToken(context, json) });
  } catch (error) {
    return offerToDeleteOrphan(error, context, json);
  }
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

export async function update(parsed: Parsed, context: CommandContext): Promise<number> {
  const { admin } = context.services();
  if (parsed.values.enable && parsed.values.disable) throw new UsageError('choose --enable or --disable, not both');
  const scopes = splitList(text(parsed, 'scopes'));
  const enabled = parsed.values.enable ? true : parsed.values.disable ? false : undefined;
  if (enabled === undefined && scopes === undefined) throw new UsageError('nothing to change: give --enable, --disable or --scopes');
  const ref = parseKeyRef(parsed.positionals[0]!);
  const updated = await admin.remoteUpdate(ref, { ...(enabled === undefined ? {} : { enabled }), ...(scopes ? { scopes } : {}) });
  return context.print(updated, () => `Updated "${updated.name}" on the server: ${updated.enabled ? 'enabled' : 'disabled'}; ${updated.permissions.join(', ')}.\n`, parsed);
}

export async function remove(parsed: Parsed, context: CommandContext): Promise<number> {
  const { admin } = context.services();
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
 * The server made the key but its answer, the only one with the token, was lost: on a terminal the
 * person is offered the deletion at once (the key serves nobody); otherwise the error says how.
 */
async function offerToDeleteOrphan(error: unknown, context: CommandContext, json: boolean): Promise<number> {
  const orphan = error instanceof VaultError ? error.remedies.find((remedy) => remedy.code === 'delete-orphan-server-key') : undefined;
  if (!orphan || json || !context.io.stdin.isTTY) throw error;
  context.io.stderr.write(errorText(toErrorInfo(error)));
  if (!(await confirm(context.io, `Delete "${orphan.name}" on ${orphan.tenant}'s server now?`))) {
    context.io.stderr.write('Left on the server.\n');
    return 1;
  }
  const result = await context.services().admin.remoteDelete({ tenant: orphan.tenant, name: orphan.name });
  context.io.stderr.write(`${result.wasOnServer ? `Deleted "${result.remoteName}" on the server` : `The server no longer had "${result.remoteName}"`}. Create the key again when you are ready.\n`);
  return 1;
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
  for (const orphan of listing.orphaned) {
    lines.push(`Orphaned: "${orphan.name}" was created on ${orphan.since.slice(0, 10)} but the answer carrying its token was lost: it is live and nobody holds its token. Delete it: tkv remote delete ${listing.tenant}/${orphan.name} --yes`);
  }
  for (const ref of listing.notLinked) {
    const unclaimed = listing.keys.filter((key) => key.local === null).map((key) => key.name);
    lines.push(`Not linked: the vault does not know ${formatKeyRef(ref)}'s name on the server, and the server has no key "${ref.name}"${unclaimed.length ? ` (no entry uses ${unclaimed.map((name) => `"${name}"`).join(', ')})` : ''}. Link it: tkv key edit ${formatKeyRef(ref)} --remote-name ${unclaimed.length === 1 ? unclaimed[0]! : 'NAME'}`);
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
