/** `tkv key add|list|show|reveal|copy|edit|history|replace|remove` (declared in command-table.ts). */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { KeyEdit, KeySummary } from '../../shared/contract.ts';
import { KEY_FIELD_NAMES, KEY_FIELDS, type KeyField, type KeyFieldEdit, type KeyFieldInput, type KeyFieldSpec } from '../../shared/key-fields.ts';
import { clipboardClearMs } from '../../core/keys/secret-clipboard.ts';
import { clipboardTool, toolClipboard } from '../../core/system-clipboard.ts';
import { VaultError } from '../../core/errors.ts';
import { parseKeyRef, formatKeyRef } from '../../core/keys/key-ref.ts';
import { confirmed, list as splitList, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { day, fields, table } from '../format.ts';
import { UsageError } from '../io.ts';
import { readSecret } from '../read-secret.ts';


/** Replace after regenerate: the new key checked, then the entry switched to it. */
export async function replace(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const services = context.services();
  const key = services.keys.show(ref);
  // Regenerating is how Airwallex replaces a key, and it stops the old one at once: said before, not after.
  const airwallex = services.tenants.require(ref.tenant).provider === 'airwallex';
  if (airwallex) context.io.stderr.write(`tkv: ${(await import('../../core/rotation/replace.ts')).REGENERATE_WARNING}\n`);
  const secret = (await readSecret(context.io, `The ${airwallex ? 'regenerated' : 'new'} key for ${formatKeyRef(ref)} (input hidden): `)).trim();
  const { result, fingerprint, oldDropped, oldAccount } = await services.rotations.replaceAfterRegenerate(ref, secret);
  const old = oldDropped ? 'The old key was dropped from the keychain.' : `The keychain refused to delete the old key (entry ${oldAccount}); it no longer works on the server: delete that entry with your keychain's own tool.`;
  return context.print({ replaced: ref, oldFingerprint: key.fingerprint, fingerprint, verdict: result.verdict, oldDropped }, () => `Replaced the key of ${formatKeyRef(ref)}: the new one passed the ${result.probe.id} check (${result.verdict}); fingerprint ${key.fingerprint} → ${fingerprint}. ${old}\n`, parsed);
}

export async function add(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const services = context.services();
  // Fail on an unknown tenant or a taken name before asking for the secret.
  if (services.keys.list({ tenant: ref.tenant }).some((key) => key.name === ref.name)) {
    throw new VaultError('ALREADY_EXISTS', `Key ${formatKeyRef(ref)} already exists; choose another name or remove it first.`);
  }
  const pasted = await readSecret(context.io, `API key for ${formatKeyRef(ref)} (input hidden): `);
  const secret = pasted.trim();
  if (secret !== pasted) context.io.stderr.write('tkv: notice: the key had spaces or tabs around it; they were removed.\n');
  if (secret.length > 0 && secret.length < 16) context.io.stderr.write(`tkv: warning: the key is only ${secret.length} characters long; API keys are usually longer — check it is the key and not its name.\n`);
  const key = await services.keys.add({
    ...ref,
    secret,
    ...keyFieldsGiven(parsed),
    ...optional('remoteName', text(parsed, 'remote-name')),
    admin: parsed.values.admin === true,
  });
  for (const warning of services.keys.inputWarnings({ scopes: key.scopes, expiresOn: key.expiresOn, admin: key.admin })) context.io.stderr.write(`tkv: warning: ${warning}\n`);
  return context.print(key, () => `Stored ${formatKeyRef(key)} in the OS keychain (fingerprint ${key.fingerprint}).\n`, parsed);
}

export async function list(parsed: Parsed, context: CommandContext): Promise<number> {
  const tenant = text(parsed, 'tenant');
  const keys = context.services().keys.list(tenant === undefined ? {} : { tenant });
  return context.print(keys, () => formatKeys(keys), parsed);
}

export async function show(parsed: Parsed, context: CommandContext): Promise<number> {
  const key = context.services().keys.show(parseKeyRef(parsed.positionals[0]!));
  return context.print(key, () => formatKey(key), parsed);
}

export async function reveal(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const secret = await context.services().keys.reveal(ref);
  if (context.io.stdout.isTTY) context.io.stderr.write(`The key for ${formatKeyRef(ref)} follows; this reveal is recorded in the audit log. Mind screen sharing.\n`);
  return context.print({ ...ref, secret }, () => `${secret}\n`, parsed);
}

export async function remove(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const services = context.services();
  const key = services.keys.show(ref);
  if (!(await confirmed(context, parsed.values.yes === true, `Remove ${formatKeyRef(ref)} (fingerprint ${key.fingerprint}) and its secret from the keychain?`))) {
    context.io.stderr.write('Nothing removed.\n');
    return 1;
  }
  const { keychainEntry } = await services.keys.remove(ref);
  return context.print({ removed: ref, keychainEntry }, () => `Removed ${formatKeyRef(ref)}${keychainEntry === 'deleted' ? ' and its keychain entry' : '; its keychain entry was already gone'}.\n`, parsed);
}

export async function history(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const checks = context.services().checks.history(ref).map(({ at, probe, verdict, status, durationMs }) => ({ at, probe, verdict, status, durationMs }));
  return context.print(checks, () => {
    if (checks.length === 0) return `${formatKeyRef(ref)} has not been checked yet.\n`;
    return table(['TIME', 'PROBE', 'VERDICT', 'STATUS', 'MS'], checks.map((check) => [check.at, check.probe, check.verdict, String(check.status ?? '-'), String(check.durationMs)]));
  }, parsed);
}

export async function edit(parsed: Parsed, context: CommandContext): Promise<number> {
  if (parsed.values.admin && parsed.values['no-admin']) throw new UsageError('give --admin or --no-admin, not both');
  const changes: KeyEdit = {
    ...keyFieldsChanged(parsed),
    ...(text(parsed, 'remote-name') === undefined ? {} : { remoteName: text(parsed, 'remote-name')! }),
    ...(parsed.values.admin ? { admin: true } : parsed.values['no-admin'] ? { admin: false } : {}),
  };
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give at least one of the options');
  const ref = parseKeyRef(parsed.positionals[0]!);
  const { key, warnings } = context.services().keys.edit(ref, changes);
  for (const warning of warnings) context.io.stderr.write(`tkv: warning: ${warning}\n`);
  return context.print({ key, warnings }, () => `Updated ${formatKeyRef(key)}.\n`, parsed);
}

/**
 * Copies the secret to the system clipboard, and leaves a small process behind that clears it after
 * 30 s if it still holds that secret (it knows only its SHA-256). Where there is no clipboard, says so.
 */
export async function copy(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const tool = clipboardTool(context.io.env);
  if ('missing' in tool) throw new VaultError('INVALID_INPUT', `Cannot copy: ${tool.missing}. Reveal the key instead, where you can see it.`);
  const secret = await context.services().keys.secretForCopy(ref);
  const env = context.io.env as NodeJS.ProcessEnv;
  try {
    await toolClipboard(tool, env).writeText(secret);
  } catch (error) {
    throw new VaultError('INVALID_INPUT', `Cannot copy: the clipboard tool ${tool.name} failed (${(error as Error).message}).`);
  }
  const clearAfterMs = clipboardClearMs(context.io.env);
  scheduleClear(createHash('sha256').update(secret, 'utf8').digest('hex'), clearAfterMs, env);
  const clearsAt = new Date(Date.now() + clearAfterMs).toISOString();
  return context.print({ ...ref, copied: true, clearsAt }, () => `Copied ${formatKeyRef(ref)} to the clipboard; it is cleared in ${Math.round(clearAfterMs / 1000)} s unless you copy something else. This copy is in the audit log.\n`, parsed);
}

/** Starts the detached clearer: `tkv __clear-clipboard HASH MS`, which outlives this command. */
function scheduleClear(hash: string, ms: number, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../tkv.mjs', import.meta.url)), '__clear-clipboard', hash, String(ms)], { detached: true, stdio: 'ignore', env });
  child.unref();
}

/** The clearer's work: after `ms`, empty the clipboard if it still holds the text whose SHA-256 is `hash`. */
export async function clearClipboardLater(parsed: Parsed, context: CommandContext): Promise<number> {
  const [hash, ms] = parsed.positionals;
  const env = context.io.env;
  const tool = clipboardTool(env);
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || 'missing' in tool) return 2;
  await new Promise((resolve) => setTimeout(resolve, Number(ms) || 30_000));
  const clipboard = toolClipboard(tool, env as NodeJS.ProcessEnv);
  const now = await clipboard.readText().catch(() => null);
  if (now !== null && createHash('sha256').update(now, 'utf8').digest('hex') === hash) await clipboard.writeText('');
  return 0;
}

/** "valid on 2026-11-30; last attempt: network error (2026-12-01)", or "never checked". */
export function judgementText(key: KeySummary): string {
  const judged = key.lastJudgement ? `${key.lastJudgement} on ${day(key.lastJudgedAt)}` : key.lastAttempt ? 'not judged yet' : 'never checked';
  const attemptDiffers = key.lastAttempt !== null && key.lastAttemptAt !== key.lastJudgedAt;
  return attemptDiffers ? `${judged}; last attempt: ${key.lastAttempt!.replaceAll('_', ' ')} (${day(key.lastAttemptAt)})` : judged;
}

/** The key fields (shared/key-fields.ts) a `key add` gives: each from its flag, scopes split on commas. */
function keyFieldsGiven(parsed: Parsed): KeyFieldInput {
  const given: Record<string, string | string[]> = {};
  for (const field of KEY_FIELD_NAMES) {
    const value = text(parsed, KEY_FIELDS[field].flag);
    if (value === undefined) continue;
    given[field] = KEY_FIELDS[field].kind === 'scopes' ? (splitList(value) ?? []) : value;
  }
  return given as KeyFieldInput;
}

/** The key fields a `key edit` changes: "" clears a text (declares no scopes), a clear flag clears its field. */
function keyFieldsChanged(parsed: Parsed): KeyFieldEdit {
  const changes: Record<string, string | string[] | null> = {};
  for (const field of KEY_FIELD_NAMES) {
    const spec: KeyFieldSpec = KEY_FIELDS[field];
    const value = text(parsed, spec.flag);
    const cleared = spec.clear !== undefined && parsed.values[spec.clear.flag] === true;
    if (value !== undefined && cleared) throw new UsageError(`give --${spec.flag} or --${spec.clear!.flag}, not both`);
    if (cleared) changes[field] = null;
    else if (value !== undefined) changes[field] = spec.kind === 'scopes' ? (value === '' ? [] : (splitList(value) ?? [])) : value === '' && spec.kind !== 'date' ? null : value;
  }
  return changes as KeyFieldEdit;
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

function formatKeys(keys: KeySummary[]): string {
  if (keys.length === 0) return 'No keys yet. Add one with: tkv key add ALIAS/NAME --scopes a,b (then paste the key)\n';
  return table(
    ['KEY', 'SCOPES', 'FINGERPRINT', 'EXPIRES', 'LAST JUDGEMENT', 'NOTE'],
    keys.map((key) => [
      formatKeyRef(key),
      key.scopes.join(',') || '-',
      key.fingerprint,
      key.expiresOn ? `${key.expiresOn}${key.expired ? ' (expired)' : ''}` : '-',
      judgementText(key),
      key.admin ? 'admin credential' : '',
    ]),
  );
}

/** The written fields `key show` places itself, where a person looks for them. */
const SHOWN_ABOVE = new Set<KeyField>(['scopes', 'expiresOn', 'owner', 'notes']);

function fieldText(value: string | string[] | null): string {
  return Array.isArray(value) ? value.join(', ') || '-' : (value ?? '-');
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
    // Any other written field, in its declared order, under its label.
    ...KEY_FIELD_NAMES.filter((field) => !SHOWN_ABOVE.has(field)).map((field): [string, string] => [KEY_FIELDS[field].label, fieldText(key[field])]),
    ['Last judgement', judgementText(key)],
    ['Keychain account', key.secretAccount],
  ]);
}
