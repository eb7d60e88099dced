/**
 * The CLI's wording of remedies: the plain sentence every front door shares, and, where a tkv
 * command does it, that command.
 */
import { remedySentence, type Remedy } from '../shared/remedies.ts';
import type { KeyRef } from '../shared/contract.ts';
import type { ErrorInfo } from '../shared/errors.ts';

const ref = (key: KeyRef) => `${key.tenant}/${key.name}`;

/** A value as a shell takes it: as it is when it is plain, in single quotes otherwise (`*` would be globbed). */
const shellWord = (value: string) => (/^[\w.,:/@-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);

/**
 * The tkv commands that carry a remedy out, one line each (a line pasted whole runs one command):
 * steps typed in order, or (`either`) ways to the same end, one of which is enough.
 */
export interface RemedyCommands {
  lines: string[];
  either: boolean;
}

export function remedyCommands(remedy: Remedy): RemedyCommands {
  const commands = commandsOf(remedy);
  if (commands === null) return { lines: [], either: false };
  if (typeof commands === 'string') return { lines: [commands], either: false };
  return Array.isArray(commands) ? { lines: commands, either: false } : { lines: commands.either, either: true };
}

/** The remedy's commands on one line, for a table: `, then` (or ` or `) between them, without their comments (not a line to paste). */
export function remedyCommand(remedy: Remedy): string | null {
  const { lines, either } = remedyCommands(remedy);
  return lines.length > 0 ? lines.map((command) => command.replace(/\s+# .*$/, '')).join(either ? ' or ' : ', then ') : null;
}

/** The command; the commands in order; or ways to the same end (`either`). */
function commandsOf(remedy: Remedy): string | string[] | { either: string[] } | null {
  switch (remedy.code) {
    case 'run-scope-matrix':
      return `tkv check ${ref(remedy.key)} --scopes-matrix`;
    case 'check-with-probe':
      return remedy.key ? `tkv check ${ref(remedy.key)} --probe ${remedy.probe}` : `--probe ${remedy.probe}`;
    case 'grant-scope':
      return remedy.key ? [`tkv remote get ${ref(remedy.key)}`, `tkv remote update ${ref(remedy.key)} --scopes …,${remedy.scope}`] : null;
    case 'add-probe':
      return `tkv probe add ID --path '/api/{tenantId}/…'${remedy.scope ? ` --scope ${remedy.scope}` : ' --scope SCOPE'}`;
    case 'key-held-elsewhere':
      return `tkv check ${ref(remedy.holder)}`;
    case 'previous-key':
      return `tkv key show ${ref(remedy.holder)}`;
    case 'compare-fingerprint':
      return remedy.key ? null : 'tkv key list';
    case 'check-remote-name':
      return remedy.key ? `tkv check ${ref(remedy.key)} --probe config` : '--probe config';
    case 'lower-concurrency':
      return '--concurrency N, --per-tenant N';
    case 'read-evidence':
      return '--report md';
    case 'trust-proxy-ca':
      return '--ca-file PEM';
    case 'raise-timeout':
      return '--timeout-ms N';
    case 'deleted-on-server':
      // A name that runs as typed: a placeholder such as NEW-NAME would be created as it is.
      return [`tkv remote create ${remedy.key.tenant}/${remedy.key.name}-new --scopes ${remedy.scopes.length > 0 ? shellWord(remedy.scopes.join(',')) : 'SCOPES'}`, `tkv key remove ${ref(remedy.key)}`];
    case 'enable-on-server':
      return `tkv remote update ${ref(remedy.key)} --enable`;
    case 'replace-secret':
      return `tkv key replace ${ref(remedy.key)}`;
    case 'edit-server-permissions':
      return `tkv remote update ${ref(remedy.key)} --scopes ${shellWord([...remedy.holds, remedy.needs].join(','))}`;
    case 'declared-scopes-differ':
      return `tkv key edit ${ref(remedy.key)} --scopes ${remedy.serverScopes.length > 0 ? shellWord(remedy.serverScopes.join(',')) : '…'}`;
    case 'server-word-self':
      return `tkv tenant bearer ${remedy.tenant}`;
    case 'mark-admin':
      return `tkv key edit ${ref(remedy.key)} --admin`;
    case 'server-word-needs-admin':
    case 'store-admin-credential':
      return { either: [`tkv key add ${remedy.tenant}/admin --admin   # an admin key`, `tkv tenant bearer ${remedy.tenant}   # an OAuth access token`] };
    case 'paste-bearer':
      return `tkv tenant bearer ${remedy.tenant}`;
    case 'list-server-keys':
      return `tkv remote list ${remedy.tenant}`;
    case 'list-tenants':
      return 'tkv tenant list';
    case 'list-keys':
      return `tkv key list --tenant ${remedy.tenant}`;
    case 'remove-tenant-with-keys':
      return `tkv tenant remove ${remedy.tenant} --with-keys`;
    case 'run-doctor':
      return 'tkv doctor';
    case 'delete-orphan-server-key':
      return `tkv remote delete ${remedy.tenant}/${remedy.name} --yes`;
    case 'restore-inventory':
      return `tkv doctor --restore --backup ${shellWord(remedy.backup)}`;
    case 'rebuild-inventory':
      return 'tkv reconcile   # lists the entries; never --remove-orphans until every key is back';
    case 'run-reconcile':
      return 'tkv reconcile';
    case 'start-rotation':
      return `tkv rotate ${ref(remedy.key)}`;
    case 'resume-rotation':
      return `tkv rotate ${ref(remedy.key)} --resume`;
    case 'abort-rotation':
      return `tkv rotate ${ref(remedy.key)} --abort`;
    case 'finish-rotation':
      return `tkv rotate ${ref(remedy.key)} --finish   # disables the old key; add --retire delete to delete it`;
    case 'show-rotations':
      return 'tkv rotate --status';
    case 'deploy-new-key':
      return [`tkv key reveal ${ref(remedy.key)}`, `tkv rotate ${ref(remedy.key)} --finish`];
    case 'admin-key-lacks-scope':
      return `tkv key list --tenant ${remedy.key.tenant}   # their declared scopes: one with * or ${remedy.scope} may be marked admin instead`;
    case 'check-key':
    case 'admin-key-refused':
    case 'ask-server-again':
      return `tkv check ${ref(remedy.key)}`;
    case 'set-owner':
      return `tkv key edit ${ref(remedy.key)} --owner NAME`;
    case 'show-usage':
      return `tkv key usage ${ref(remedy.key)}`;
    case 'link-server-name':
      return `tkv key edit ${ref(remedy.key)} --remote-name ${remedy.candidates.length === 1 ? remedy.candidates[0]! : 'NAME'}`;
    case 'refresh-server-list':
      return `tkv remote list ${remedy.tenant}`;
    case 'choose-team-readers':
      return `tkv team share ${ref(remedy.key)} --to NAME,…   # or --to-all, or --metadata-only`;
    case 'pull-team':
      return 'tkv team pull';
    case 'resolve-team-conflict':
      return ['tkv team status   # lists the versions', `tkv team resolve ${ref(remedy.key)} --take VERSION   # or --mine`];
    case 'send-team-identity':
      return 'tkv team identity';
    case 'join-team':
      return { either: ['tkv team init DIR --name TEAM   # found a team', 'tkv team join DIR-OR-GIT-URL   # join one'] };
    case 'leave-team':
      return 'tkv team leave';
    case 'new-team-identity':
      return 'tkv team identity --new';
    case 'replace-admin-key':
      return [`tkv remote create ${remedy.key.tenant}/${remedy.key.name}-new --like ${ref(remedy.key)}`, `tkv key edit ${remedy.key.tenant}/${remedy.key.name}-new --admin`, `tkv remote delete ${ref(remedy.key)}`];
    default:
      return null;
  }
}

/** An error as the CLI prints it on stderr: `tkv: message`, then what to do. */
export function errorText(info: ErrorInfo): string {
  return `tkv: ${info.message}\n${(info.remedies ?? []).map((remedy) => `${remedyLines(remedy)}\n`).join('')}`;
}

/**
 * The remedy as the CLI prints it: the sentence, then each command on its own line, in order; ways to
 * the same end, one of which is enough, with `or:` between them.
 */
export function remedyLines(remedy: Remedy, indent = '  '): string {
  const { lines, either } = remedyCommands(remedy);
  return `${indent}- ${remedySentence(remedy)}${lines.map((command, index) => `${index > 0 && either ? `\n${indent}  or:` : ''}\n${indent}    ${command}`).join('')}`;
}
