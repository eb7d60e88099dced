/**
 * `tkv check`: one stored key, a pasted key, a scope matrix, or every stored key.
 * Exit codes: 0 valid, 10 unauthorized, 11 forbidden, 13 inconclusive, 12 any other verdict, 1 the check could not
 * run, 2 usage error (an insecure base URL included).
 */
import { API_KEY_HEADER } from '../../core/vendors/wallet-crew/wallet-crew.ts';
import type { CheckResult } from '../../shared/check.ts';
import type { KeyRef } from '../../shared/contract.ts';
import type { Remedy } from '../../shared/remedies.ts';
import { VERDICTS, verdictExitCode, verdictWords, type Verdict } from '../../shared/verdicts.ts';
import { checkBaseUrl, checkName, checkProbePath, normalizeBaseUrl } from '../../shared/rules.ts';
import { HttpClient } from '../../core/http/http-client.ts';
import { CheckService, type AuthMode, type BulkSummary, type CheckTarget, type ScopeMatrix } from '../../core/checks/check-service.ts';
import type { ProbeDefinition, Vendor } from '../../core/vendors/vendor.ts';
import { markdownMatrix, markdownReport } from '../../core/checks/report.ts';
import { controlWords, serverWords } from '../../shared/check-words.ts';
import { formatKeyRef, parseKeyRef } from '../../core/keys/key-ref.ts';
import { integer, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../format.ts';
import { UsageError } from '../io.ts';
import { parseWindow } from '../../core/usage/usage-query.ts';
import { clockFromEnv } from '../../core/clock.ts';
import { readSecret } from '../read-secret.ts';
import { remedyLines } from '../remedies.ts';


/** The flags of each form; one form's flag given to another is a mistake worth naming. */
const PASTED_ONLY = ['base-url', 'tenant-id', 'key-stdin', 'path', 'header', 'auth', 'client-id', 'login-as'];
const ALL_ONLY = ['tenant', 'stale', 'concurrency', 'per-tenant'];

export async function checkCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  const report = text(parsed, 'report');
  if (report && parsed.values.json) throw new UsageError('choose --json or --report md, not both');
  const pasted = text(parsed, 'base-url') !== undefined;
  const all = parsed.values.all === true;
  const given = (names: string[]) => names.filter((name) => parsed.values[name] !== undefined).map((name) => `--${name}`);
  if (all && pasted) throw new UsageError('choose --all or --base-url, not both');
  if ((all || pasted) && parsed.positionals.length > 0) throw new UsageError(`${all ? '--all' : '--base-url'} checks no stored key by name: leave ALIAS/NAME out`);
  if (!all && !pasted && parsed.positionals.length === 0) throw new UsageError('name the key to check (ALIAS/NAME), or give --all, or --base-url for a pasted key');
  if (!pasted && given(PASTED_ONLY).length > 0) throw new UsageError(`${given(PASTED_ONLY).join(', ')} go${given(PASTED_ONLY).length === 1 ? 'es' : ''} with --base-url (a pasted key)`);
  if (!all && given(ALL_ONLY).length > 0) throw new UsageError(`${given(ALL_ONLY).join(', ')} go${given(ALL_ONLY).length === 1 ? 'es' : ''} with --all`);
  if (all && (report || parsed.values['scopes-matrix'] || parsed.values.probe !== undefined)) throw new UsageError('--all takes no --report, --scopes-matrix or --probe');
  if (parsed.values['scopes-matrix'] && parsed.values.probe !== undefined) throw new UsageError('--scopes-matrix tries a probe per scope: leave --probe out');
  // The HTTP client (--timeout-ms, --ca-file) is the context's: set from the flags before the vault opened.
  if (all) return checkAll(parsed, context);
  if (pasted) return checkAdHoc(parsed, context, report === 'md');
  return checkStored(parsed, context, report === 'md');
}

async function checkStored(parsed: Parsed, context: CommandContext, markdown: boolean): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const service = context.services().checks;
  if (parsed.values['scopes-matrix']) {
    const matrix = await service.scopeMatrix(ref);
    if (markdown) context.io.stdout.write(markdownMatrix(matrix, formatKeyRef(ref)));
    else context.print(matrix, () => formatMatrix(matrix), parsed);
    if (matrix.stoppedBy) return verdictExitCode(matrix.stoppedBy.verdict);
    if (matrix.missing.length > 0) return 11;
    // A scope whose answer proved nothing is no clean result: inconclusive, as a single check would be.
    return matrix.inconclusive.length > 0 ? verdictExitCode('inconclusive') : 0;
  }
  const result = await service.checkStored(ref, { ...(text(parsed, 'probe') ? { probeId: text(parsed, 'probe')! } : {}) });
  return printResult(result, formatKeyRef(ref), formatKeyRef(ref), parsed, context, markdown);
}

async function checkAdHoc(parsed: Parsed, context: CommandContext, markdown: boolean): Promise<number> {
  const baseUrl = text(parsed, 'base-url')!;
  const problem = checkBaseUrl(baseUrl);
  if (problem) throw new UsageError(problem);
  const tenantId = text(parsed, 'tenant-id');
  if (!tenantId) throw new UsageError('--tenant-id is required with --base-url');
  const nameProblem = checkName(tenantId, 'Tenant id');
  if (nameProblem) throw new UsageError(nameProblem);
  if (!parsed.values['key-stdin']) throw new UsageError('--key-stdin is required: the key is read from stdin (or a hidden prompt), never from the command line');
  const header = text(parsed, 'header');
  const authName = text(parsed, 'auth');
  if (header && authName) throw new UsageError('give --header or --auth, not both');
  if (header !== undefined && !/^[A-Za-z0-9-]+$/.test(header)) throw new UsageError('--header must be a header name, e.g. X-API-KEY');
  let auth: AuthMode;
  let vendor: Vendor;
  if (authName === 'bearer') [auth, vendor] = [{ kind: 'bearer' }, 'generic'];
  else if (authName === 'airwallex') {
    const clientId = text(parsed, 'client-id');
    if (!clientId) throw new UsageError('--auth airwallex needs --client-id');
    const loginAs = text(parsed, 'login-as');
    [auth, vendor] = [{ kind: 'airwallex', clientId, ...(loginAs ? { loginAs } : {}) }, 'airwallex'];
  } else if (header && header.toLowerCase() !== API_KEY_HEADER.toLowerCase()) [auth, vendor] = [{ kind: 'header', name: header }, 'generic'];
  else [auth, vendor] = [{ kind: 'header', name: API_KEY_HEADER }, 'wallet-crew'];

  const service = checksQuietly(context);
  const path = text(parsed, 'path');
  // Unnamed, the probe is the one the key's declared scopes call for when the vault holds it.
  let probe: ProbeDefinition | null = null;
  if (path !== undefined) {
    const pathProblem = checkProbePath(path);
    if (pathProblem) throw new UsageError(`--path: ${pathProblem}`);
    probe = { id: 'path', vendor, method: 'GET', path, scope: null, risk: 'low', description: 'the path given' };
  } else if (text(parsed, 'probe')) {
    probe = service.probe(vendor === 'generic' ? 'wallet-crew' : vendor, text(parsed, 'probe')!);
  }
  const secret = await readSecret(context.io, 'API key to check (input hidden): ');
  const target: CheckTarget = { baseUrl: normalizeBaseUrl(baseUrl), tenantId, vendor, auth };
  const result = await service.checkSecret(target, secret, probe, { asEntry: true });
  // A key the vault holds: say which, so the probe (and, for this very tenant's entry, the advice) is no surprise.
  const entry = service.entryFor(target, result.key.fingerprint);
  if (!parsed.values.json && !markdown) {
    const holder = entry ? null : heldAs(context, result.key.fingerprint);
    if (entry) context.io.stderr.write(`note: this is the key stored as ${entry.tenant}/${entry.name}, for this tenant: it was checked as that entry (what the vault knows of it, the server's word), and nothing was recorded.\n`);
    else if (holder && probe === null) context.io.stderr.write(`note: this key is stored as ${holder}; it was checked with the probe its declared scopes call for.\n`);
  }
  return printResult(result, `${tenantId} at ${normalizeBaseUrl(baseUrl)}`, entry ? `${entry.tenant}/${entry.name}` : null, parsed, context, markdown);
}

/** The entry that holds a key of this fingerprint, when the vault can be read and has one. */
function heldAs(context: CommandContext, print: string): string | null {
  try {
    const key = context.services().keys.byFingerprint(print)[0];
    return key ? `${key.tenant}/${key.name}` : null;
  } catch {
    return null;
  }
}

/**
 * The check service with the vault, which sharpens the advice (a key held elsewhere); an ad-hoc
 * check works without it, when the inventory cannot be opened.
 */
function checksQuietly(context: CommandContext): CheckService {
  try {
    return context.services().checks;
  } catch {
    return new CheckService({ http: new HttpClient({ ...context.httpOptions(), env: context.io.env }) });
  }
}

async function checkAll(parsed: Parsed, context: CommandContext): Promise<number> {
  const concurrency = integer(parsed, 'concurrency', 8);
  const perTenant = integer(parsed, 'per-tenant', 4);
  const service = context.services().checks;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    context.io.stderr.write('\nStopping: letting running checks finish (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = context.io.stderr.isTTY === true;
  const tenant = text(parsed, 'tenant');
  const stale = staleSince(text(parsed, 'stale'), context);
  let summary: BulkSummary;
  try {
    summary = await service.checkAll({
      ...(tenant === undefined ? {} : { tenant }),
      ...(stale === null ? {} : { judgedBefore: stale.before }),
      concurrency,
      perTenant,
      signal: controller.signal,
      onProgress: ({ done, total, ref, result, error }) => {
        // A key that could not be checked (its secret gone from the keychain, say) gets a line too: its error.
        if (parsed.values.json) context.io.stdout.write(`${JSON.stringify(result ? { keyRef: formatKeyRef(ref), ...result } : { keyRef: formatKeyRef(ref), error })}\n`);
        if (progress) {
          const width = 30;
          const filled = Math.round((done / total) * width);
          context.progress.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} checked`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (progress) context.io.stderr.write('\n');
  // With --json, stdout is JSON Lines: each key's record (with its keyRef) as it finished, or its
  // error when it could not be checked, then the run's record ({"run": …}); the summary for a
  // person goes to stderr.
  if (parsed.values.json) context.io.stdout.write(`${JSON.stringify({ run: runRecord(summary, tenant ?? null, stale?.window ?? null) })}\n`);
  const out = parsed.values.json ? context.io.stderr : context.io.stdout;
  out.write(stale !== null && summary.total === 0 ? `Every key${tenant === undefined ? '' : ` of ${tenant}`} was judged within the last ${stale.window}: nothing to check.\n` : formatSummary(summary, tenant, stale?.window));
  if (summary.failures.length > 0 && summary.checked === 0) return 1;
  if (summary.byVerdict.unauthorized) return 10;
  if (summary.byVerdict.forbidden) return 11;
  if (summary.byVerdict.inconclusive) return 13;
  if (summary.problems.length > 0 || summary.failures.length > 0 || summary.interrupted) return 12;
  return 0;
}

/** Prints a check; `keyRef` names the stored entry checked (as a bulk run's records do), null for a stranger's pasted key. */
function printResult(result: CheckResult, label: string, keyRef: string | null, parsed: Parsed, context: CommandContext, markdown: boolean): number {
  if (markdown) context.io.stdout.write(markdownReport(result, label));
  else context.print({ keyRef, ...result }, () => formatResult(result), parsed);
  return verdictExitCode(result.verdict);
}

function formatResult(result: CheckResult): string {
  const head = `${verdictWords(result.verdict).toUpperCase()}  ${result.status ?? '---'}  ${result.request.method} ${result.request.url}  (${result.durationMs} ms, probe ${result.probe.id}, key ${result.key.fingerprint})`;
  const trace = result.problem?.traceId ? `\ntrace id: ${result.problem.traceId}` : '';
  const control = result.control ? `\nnegative control: ${controlWords(result.control)}` : '';
  const server = result.server ? `\nserver's word: ${serverWords(result.server)}` : '';
  const steps = result.nextSteps.map((step) => `${remedyLines(step)}\n`).join('');
  return `${head}\n${result.summary}${trace}${control}${server}\n${steps}`;
}

function formatMatrix(matrix: ScopeMatrix): string {
  const rows = table(
    ['SCOPE', 'STATE', 'DECLARED', 'PROBE', 'NOTE'],
    matrix.scopes.map((s) => [s.scope, s.state, s.declared ? 'yes' : 'no', s.probe ?? '-', s.note ?? '']),
  );
  const drift = [
    `Declared but denied: ${matrix.missing.join(', ') || 'none'}`,
    `Granted but not declared: ${matrix.undeclared.join(', ') || 'none'}`,
    ...(matrix.inconclusive.length > 0 ? [`Proved nothing (inconclusive, their answers say nothing about the key): ${matrix.inconclusive.join(', ')}`] : []),
    ...(matrix.control ? [`negative control: ${controlWords(matrix.control)}`] : []),
    ...(matrix.stoppedBy ? [`Stopped early: ${matrix.stoppedBy.summary}`] : []),
  ];
  return `${rows}\n${drift.join('\n')}\n`;
}

/** `--stale 24h`: the window, and the time before which a judgement is stale; null without the flag. */
export function staleSince(given: string | undefined, context: CommandContext): { window: string; before: string } | null {
  if (given === undefined) return null;
  const window = parseWindow(given);
  if (!window) throw new UsageError(`--stale takes a window such as 24h, 7d or 90m, not "${given}"`);
  return { window: window.literal, before: new Date(clockFromEnv(context.io.env).now().getTime() - window.ms).toISOString() };
}

/** A bulk run's last JSON line: what it covered and how it ended; each key's own record came before. */
function runRecord(summary: BulkSummary, tenant: string | null, staleWindow: string | null) {
  const byRef = <T extends { ref: KeyRef }>(entries: T[]) => [...entries].sort((a, b) => formatKeyRef(a.ref).localeCompare(formatKeyRef(b.ref)));
  return {
    tenant,
    staleWindow,
    total: summary.total,
    checked: summary.checked,
    interrupted: summary.interrupted,
    byVerdict: summary.byVerdict,
    problems: byRef(summary.problems).map(({ ref, result }) => ({ keyRef: formatKeyRef(ref), verdict: result.verdict, status: result.status })),
    failures: byRef(summary.failures).map(({ ref, error }) => ({ keyRef: formatKeyRef(ref), error })),
  };
}

/** The most groups of keys `firstSteps` prints, and the most keys it names in one group. */
const STEP_GROUPS = 12;
const GROUP_KEYS = 5;

/**
 * Each problem key's first next step, with its commands: what to do, without checking every key
 * again. Keys whose first step is the very same (an endpoint that accepts any key, say) share it.
 */
export function firstSteps(problems: BulkSummary['problems']): string[] {
  const groups = new Map<string, { keys: string[]; step: Remedy }>();
  for (const { ref, result } of problems) {
    const step = result.nextSteps[0];
    if (!step) continue;
    const id = JSON.stringify(step);
    const group = groups.get(id) ?? { keys: [], step };
    groups.set(id, group);
    group.keys.push(formatKeyRef(ref));
  }
  const lines = ['Next steps, the first of each key (tkv check ALIAS/NAME gives them all; add --report md for a ticket):'];
  const all = [...groups.values()];
  for (const { keys, step } of all.slice(0, STEP_GROUPS)) {
    lines.push(`${keys.slice(0, GROUP_KEYS).join(', ')}${keys.length > GROUP_KEYS ? ` and ${keys.length - GROUP_KEYS} more` : ''}:`, remedyLines(step));
  }
  const left = all.slice(STEP_GROUPS).reduce((sum, group) => sum + group.keys.length, 0);
  if (left > 0) lines.push(`… and ${left} more ${left === 1 ? 'key' : 'keys'}: tkv check ALIAS/NAME for each.`);
  return lines;
}

function formatSummary(summary: BulkSummary, tenant: string | undefined, staleWindow?: string): string {
  if (summary.total === 0) return tenant === undefined ? 'The vault holds no key yet: there is nothing to check.\n' : `Tenant ${tenant} holds no key: there is nothing to check.\n`;
  // Most frequent first; ties in the verdicts' own order, so the same run prints the same table.
  const counts = Object.entries(summary.byVerdict).sort(([a, countA], [b, countB]) => countB - countA || VERDICTS.indexOf(a as Verdict) - VERDICTS.indexOf(b as Verdict));
  const lines = [
    `Checked ${summary.checked} of ${summary.total} ${summary.total === 1 ? 'key' : 'keys'}${staleWindow ? ` not judged within the last ${staleWindow}` : ''}${summary.interrupted ? ' (stopped early; finished checks were kept)' : ''}.`,
    table(['VERDICT', 'KEYS'], counts.map(([verdict, count]) => [verdictWords(verdict as Verdict), String(count)])).trimEnd(),
  ];
  if (summary.problems.length > 0) {
    const problems = [...summary.problems].sort((a, b) => formatKeyRef(a.ref).localeCompare(formatKeyRef(b.ref)));
    lines.push('', table(['KEY', 'VERDICT', 'STATUS', 'SUMMARY'], problems.map(({ ref, result }) => [formatKeyRef(ref), verdictWords(result.verdict), String(result.status ?? '-'), result.summary])).trimEnd());
    lines.push('', ...firstSteps(problems));
  }
  for (const failure of summary.failures) lines.push(`could not check ${formatKeyRef(failure.ref)}: ${failure.error}`);
  return `${lines.join('\n')}\n`;
}
