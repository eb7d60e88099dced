/**
 * `tkv rotate`: create a new key with the same permissions, switch the entry to it, and retire the
 * old one once the new key is deployed. Every step is journaled; `--resume` carries an interrupted
 * rotation on, `--abort` rolls it back.
 */
import type { RotationStatus } from '../../core/rotation/rotation-service.ts';
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
  const modes = ['finish', 'resume', 'abort', 'journal', 'status'].filter((mode) => parsed.values[mode]);
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
    return context.print(result, () => `${describe(result)}\n${result.next.length ? `Next:\n${result.next.map((step) => remedyLines(step)).join('\n')}\n` : ''}`, parsed);
  } catch (error) {
    // The token was already printed once; the error says what state the rotation is in.
    if (unsaved) context.io.stderr.write(errorText(toErrorInfo(error)));
    if (unsaved) return 1;
    throw error;
  }
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
