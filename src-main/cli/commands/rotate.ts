/**
 * `tkv rotate`: create a new key with the same permissions, switch the entry to it, and retire the
 * old one once the new key is deployed. Every step is journaled; `--resume` carries an interrupted
 * rotation on, `--abort` rolls it back.
 */
import type { RotationStatus } from '../../core/rotation/rotation-service.ts';
import type { KeyRef } from '../../shared/contract.ts';
import type { InsightsEvidence, OverlapUsage } from '../../shared/usage.ts';
import { VaultError } from '../../core/errors.ts';
import { formatKeyRef, parseKeyRef } from '../../core/keys/key-ref.ts';
import { confirmed, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../format.ts';
import { UsageError } from '../io.ts';
import { canShowToken, showOnce } from './remote.ts';
import { errorText, remedyCommand, remedyLines } from '../remedies.ts';
import { toErrorInfo } from '../../core/errors.ts';
import { remedySentence } from '../../shared/remedies.ts';


export async function rotateCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  if (parsed.values.status && parsed.positionals.length > 0) throw new UsageError('--status shows every rotation: leave ALIAS/NAME out');
  if (!parsed.values.status && parsed.positionals.length === 0) throw new UsageError('name the key to rotate (ALIAS/NAME), or give --status');
  const modes = ['finish', 'resume', 'abort', 'journal', 'usage', 'status'].filter((mode) => parsed.values[mode]);
  if (modes.length > 1) throw new UsageError(`choose one of --${modes.join(', --')}`);
  const retire = text(parsed, 'retire');
  if (retire !== undefined && !parsed.values.finish) throw new UsageError('--retire goes with --finish');
  if (parsed.values.all && !parsed.values.status) throw new UsageError('--all goes with --status');
  if (text(parsed, 'new-name') !== undefined && modes.length > 0) throw new UsageError('--new-name goes with starting a rotation');

  let unsaved = false;
  context.onUnsavedToken = (token) => {
    if (!canShowToken(context, parsed.values.json === true)) return false;
    unsaved = true;
    showOnce(context, token.key.tenant, token.key.name, token, parsed.values.json === true);
    return true;
  };
  const { rotations } = context.services();
  try {
    if (parsed.values.status) {
      const list = rotations.list({ all: parsed.values.all === true });
      return context.print(list, () => formatList(list, parsed.values.all === true), parsed);
    }
    const ref = parseKeyRef(parsed.positionals[0]!);
    if (parsed.values.journal) {
      const journal = rotations.journal(ref);
      return context.print(journal, () => journal.map(({ rotation, journal: entries }) => `${describe(rotation)}\n${entries.map((e) => `  ${e.at}  ${e.step.padEnd(12)} ${e.phase.padEnd(7)} ${e.detail ? JSON.stringify(e.detail) : ''}`).join('\n')}\n`).join('\n') || 'No rotations of this key yet.\n', parsed);
    }
    if (parsed.values.usage) {
      const overlap = await context.services().usage.overlap(openRotation(rotations.list(), ref));
      return context.print(overlap, () => formatOverlap(overlap), parsed);
    }
    if (parsed.values.finish && !(await oldKeyQuiet(context, parsed, ref))) {
      context.io.stderr.write('Nothing retired: the rotation stays in its overlap.\n');
      return 1;
    }
    if (parsed.values.finish && retire === 'delete' && !(await confirmed(context, parsed.values.yes === true, `Delete the old key of ${formatKeyRef(ref)} on the server for good (integrations still using it stop at once)?`))) {
      context.io.stderr.write('Nothing retired.\n');
      return 1;
    }
    const result = parsed.values.finish
      ? await rotations.finish(ref, retire === 'disable' || retire === 'delete' ? { retire } : {})
      : parsed.values.resume
        ? await rotations.resume(ref)
        : parsed.values.abort
          ? await rotations.abort(ref)
          : await rotations.start(ref, text(parsed, 'new-name') ? { newName: text(parsed, 'new-name')! } : {});
    context.print(result, () => `${describe(result)}\n${result.next.length ? `Next:\n${result.next.map((step) => remedyLines(step)).join('\n')}\n` : ''}`, parsed);
    await teamNotice(context, ref);
    return 0;
  } catch (error) {
    // The token was already printed once; the error says what state the rotation is in.
    if (unsaved) context.io.stderr.write(errorText(toErrorInfo(error)));
    if (unsaved) return 1;
    throw error;
  }
}

/** The key's rotation in its overlap, or a usage error that says there is none. */
function openRotation(list: RotationStatus[], ref: KeyRef): RotationStatus {
  const rotation = list.find((candidate) => candidate.key.tenant === ref.tenant && candidate.key.name === ref.name && candidate.state === 'overlap');
  if (!rotation) throw new VaultError('NOT_FOUND', `${formatKeyRef(ref)} has no rotation in its overlap (tkv rotate --status lists them).`);
  return rotation;
}

/**
 * Before finishing: the old key's use in the vendor's logs. Used within the last hour, the person
 * is asked, with the evidence named; quiet, or not known, it is said and the rotation goes on.
 */
async function oldKeyQuiet(context: CommandContext, parsed: Parsed, ref: KeyRef): Promise<boolean> {
  const rotation = rotations(context).find((candidate) => candidate.key.tenant === ref.tenant && candidate.key.name === ref.name && candidate.state === 'overlap' && candidate.step !== 'retire');
  if (!rotation) return true;
  const { oldKey, oldRemoteName, window } = await context.services().usage.overlap(rotation);
  if (oldKey.state === 'unknown') {
    context.io.stderr.write(`tkv: notice: no evidence of "${oldRemoteName}"'s use: ${oldKey.reason}\n`);
    return true;
  }
  if (oldKey.state === 'quiet') {
    const span = oldKey.quietHours % 24 === 0 ? `${oldKey.quietHours / 24} day${oldKey.quietHours === 24 ? '' : 's'}` : `${oldKey.quietHours} hour${oldKey.quietHours === 1 ? '' : 's'}`;
    context.io.stderr.write(oldKey.lastSeen ? `tkv: "${oldRemoteName}" has had no request for ${span} (the vendor's logs; its last ${oldKey.lastSeen.slice(0, 16).replace('T', ' ')} UTC).\n` : `tkv: "${oldRemoteName}" had no request in the last ${span} (the vendor's logs).\n`);
    return true;
  }
  const minutes = Math.floor((Date.parse(window.to) - Date.parse(oldKey.lastSeen)) / 60_000);
  const evidence = `"${oldRemoteName}" was used ${minutes < 1 ? 'less than a minute' : `${minutes} minute${minutes === 1 ? '' : 's'}`} ago (${oldKey.lastSeen.slice(0, 16).replace('T', ' ')} UTC${oldKey.caller ? `, from ${oldKey.caller}` : ''}): something still sends the old key`;
  // Told even when --yes answers for the person: the evidence is what they retire it against.
  if (parsed.values.yes === true) context.io.stderr.write(`tkv: warning: ${evidence}; retiring it as --yes says.\n`);
  // Without a terminal the question cannot be put: said as what it is, and how to answer it.
  if (parsed.values.yes !== true && !context.io.stdin.isTTY) throw new UsageError(`${evidence}; retiring it would stop that integration. Nothing was changed: there is no terminal to ask on; pass --yes to retire it anyway.`);
  return confirmed(context, parsed.values.yes === true, `${evidence}. Retire it anyway?`);
}

function rotations(context: CommandContext): RotationStatus[] {
  return context.services().rotations.list();
}

function formatOverlap(overlap: OverlapUsage): string {
  const side = (label: string, name: string, evidence: InsightsEvidence) => {
    if (evidence.state !== 'found') return `${label} "${name}": no evidence: ${evidence.reason}`;
    if (evidence.lastSeen === null) return `${label} "${name}": no request in the window.`;
    const caller = evidence.callers[0];
    return `${label} "${name}": ${evidence.requests} request${evidence.requests === 1 ? '' : 's'}, the last ${evidence.lastSeen.slice(0, 16).replace('T', ' ')} UTC${caller ? ` from ${[caller.address, caller.userAgent && `"${caller.userAgent}"`].filter(Boolean).join(' ')}` : ''}.`;
  };
  const verdict =
    overlap.oldKey.state === 'in-use'
      ? `The old key is still in use (its last request ${overlap.oldKey.lastSeen.slice(0, 16).replace('T', ' ')} UTC${overlap.oldKey.caller ? `, from ${overlap.oldKey.caller}` : ''}): find what sends it before finishing.`
      : overlap.oldKey.state === 'quiet'
        ? `The old key has had no request for ${overlap.oldKey.quietHours} hour${overlap.oldKey.quietHours === 1 ? '' : 's'}${overlap.oldKey.lastSeen ? ` (its last ${overlap.oldKey.lastSeen.slice(0, 16).replace('T', ' ')} UTC)` : ` (none in the last ${overlap.window.since})`}: it can be retired.`
        : `Not known whether the old key is still in use: ${overlap.oldKey.reason}`;
  const own = [overlap.old, overlap.new].some((evidence) => evidence.state === 'found' && !evidence.ownChecksKnown) ? "the logs have no user-agent column, so the vault's own checks are counted in" : "the vault's own checks left out";
  return `Rotation of ${formatKeyRef(overlap.key)}: both keys' requests since ${overlap.window.from.slice(0, 16).replace('T', ' ')} UTC (the vendor's logs; ${own}):\n  ${side('old', overlap.oldRemoteName, overlap.old)}\n  ${side('new', overlap.newRemoteName, overlap.new)}\n${verdict}\n`;
}

function describe(status: RotationStatus): string {
  const name = formatKeyRef(status.key);
  switch (status.state) {
    case 'overlap':
      return status.step === 'retire'
        ? `${name}: retiring "${status.oldRemoteName}" was interrupted; the entry uses "${status.newRemoteName}".`
        : `${name} now uses "${status.newRemoteName}" (fingerprint ${status.newFingerprint ?? 'not recorded'}); "${status.oldRemoteName}" keeps working until the rotation is finished.`;
    case 'finished':
      return `${name}: rotation finished; "${status.oldRemoteName}" is ${status.retire === 'delete' ? 'deleted' : 'disabled'}, the entry uses "${status.newRemoteName}".`;
    case 'rolled_back':
      return `${name}: rotation rolled back; the entry uses "${status.oldRemoteName}"${status.lastError ? ` (${status.lastError})` : ''}.`;
    default:
      return `${name}: rotation to "${status.newRemoteName}" stopped at ${status.step}${status.lastError ? `: ${status.lastError}` : ''}.`;
  }
}

function formatList(list: RotationStatus[], all: boolean): string {
  if (list.length === 0) return all ? 'No rotations yet.\n' : 'No rotation in progress.\n';
  return table(
    ['KEY', 'STATE', 'STEP', 'FROM', 'TO', 'STARTED', 'NEXT'],
    list.map((r) => [formatKeyRef(r.key), r.state, r.step, r.oldRemoteName, r.newRemoteName, r.startedAt, r.next.map((step) => remedyCommand(step) ?? remedySentence(step)).join('; ') || '-']),
  );
}

/**
 * A key the team shares now holds another secret than the team's version: its readers get the new
 * one when it is shared again (their pull checks it before it replaces theirs). Said on stderr.
 */
async function teamNotice(context: CommandContext, ref: { tenant: string; name: string }): Promise<void> {
  const team = context.services().team;
  if (!team.joined()) return;
  const status = await team.status().catch(() => null);
  const shared = status?.keys.find((key) => key.local?.tenant === ref.tenant && key.local.name === ref.name);
  if (!status?.team || shared?.state !== 'changed-here') return;
  context.io.stderr.write(`tkv: notice: ${formatKeyRef(ref)} is shared with team ${status.team.name}, and the team still has its previous key: tkv team share ${formatKeyRef(ref)}, then tkv team push, and its readers receive the new one.\n`);
}
