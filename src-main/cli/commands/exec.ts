/**
 * `tkv exec`: runs a program with keys in its environment — never in a file, argv or the shell's
 * history — and exits with its exit code. What the program writes to a pipe or a file has the keys
 * masked; a terminal is passed through untouched (colours, prompts, full-screen programs), since
 * what a person sees there is theirs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { Redactor } from '../../core/redaction/redactor.ts';
import { ByteStreamRedactor } from '../../core/redaction/stream-redactor.ts';
import { parseKeyRef } from '../../core/keys/key-ref.ts';
import { texts, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { variableStem } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';

export { variableStem };

/** What a key is replaced with in a program's piped output. */
export const PLACEHOLDER = '<concealed by tkv>';

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function execCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  const program = parsed.rest;
  const dryRun = parsed.values['dry-run'] === true;
  // `tkv exec acme/crm printenv`: the program's words were taken for keys. Keys have a slash.
  const stray = parsed.positionals.find((word) => !word.includes('/'));
  if (stray !== undefined && program.length === 0) {
    throw new UsageError(`put -- between the keys and the command to run: tkv exec ${parsed.positionals.filter((word) => word.includes('/')).join(' ') || 'ALIAS/NAME'} -- ${/^[\w./-]{1,40}$/.test(stray) ? stray : 'COMMAND'} …`);
  }
  const refs = parsed.positionals.map(parseKeyRef);
  if (program.length === 0 && !dryRun) throw new UsageError('give the command to run after --, e.g. tkv exec acme-prod/crm-sync -- ./sync.sh (or --dry-run to see the variables)');
  const names = texts(parsed, 'env');
  const headers = texts(parsed, 'header-env');
  if (names.length > refs.length) throw new UsageError(`--env was given ${names.length} times for ${refs.length} key${refs.length === 1 ? '' : 's'} (one per key, in order)`);
  if (headers.length > refs.length) throw new UsageError(`--header-env was given ${headers.length} times for ${refs.length} key${refs.length === 1 ? '' : 's'} (one per key, in order)`);
  for (const name of [...names, ...headers]) if (!VARIABLE.test(name)) throw new UsageError(`${quoteArgument(name)} is not a variable name (letters, digits, "_", not starting with a digit)`);

  // The variables, decided before any secret is read: names must not collide. An Airwallex key is
  // exchanged for a short-lived bearer token, which the program gets instead of the key.
  const services = context.services();
  const plan = refs.map((ref, index) => {
    const stem = variableStem(ref.name);
    // How the vendor wants its keys sent: a header the program can be handed, or a login exchange.
    const auth = services.checks.targetFor(services.tenants.require(ref.tenant)).auth;
    const bearer = auth.kind !== 'header';
    const header = auth.kind === 'header' ? auth.name : 'Authorization';
    return { ref, bearer, header, keyVar: names[index] ?? `${stem}_${bearer ? 'TOKEN' : 'API_KEY'}`, urlVar: `${stem}_BASE_URL`, tenantVar: `${stem}_TENANT_ID`, headerVar: headers[index] ?? null };
  });
  const all = plan.flatMap((entry) => [entry.keyVar, entry.urlVar, entry.tenantVar, ...(entry.headerVar ? [entry.headerVar] : [])]);
  const clash = all.find((name, index) => all.indexOf(name) !== index);
  if (clash) throw new UsageError(`two keys would both set ${clash}; name them apart with --env (one per key, in order)`);

  if (dryRun) {
    const lines = plan.flatMap((entry) => {
      const key = services.keys.show(entry.ref);
      const tenant = services.tenants.require(entry.ref.tenant);
      return [
        entry.bearer
          ? `${entry.keyVar}=<a bearer token from Airwallex's login exchange with ${entry.ref.tenant}/${entry.ref.name}, fingerprint ${key.fingerprint}>`
          : `${entry.keyVar}=<the key ${entry.ref.tenant}/${entry.ref.name}, fingerprint ${key.fingerprint}>`,
        `${entry.urlVar}=${tenant.baseUrl}`,
        `${entry.tenantVar}=${tenant.tenantId}`,
        ...(entry.headerVar ? [`${entry.headerVar}=${entry.bearer ? `${entry.header}: Bearer <the token>` : `${entry.header}: <the key>`}`] : []),
      ];
    });
    const variables = lines.map((line) => ({ name: line.slice(0, line.indexOf('=')), holds: line.slice(line.indexOf('=') + 1) }));
    const command = program.length ? { program: path.basename(program[0]!), arguments: program.length - 1 } : null;
    return context.print({ variables, command }, () => `${lines.join('\n')}\n${command ? `would run: ${command.program} (with ${command.arguments} argument(s))\n` : ''}`, parsed);
  }

  const handed = await services.keys.forInjection(refs, { force: parsed.values.force === true, program: path.basename(program[0]!) });
  const env: Record<string, string> = {};
  const secrets = handed.map((entry) => entry.secret);
  for (const [index, entry] of plan.entries()) {
    const { secret, tenant } = handed[index]!;
    const value = entry.bearer ? await context.services().checks.bearerToken(tenant, secret) : secret;
    if (entry.bearer) secrets.push(value);
    env[entry.keyVar] = value;
    env[entry.urlVar] = tenant.baseUrl;
    env[entry.tenantVar] = tenant.tenantId;
    if (entry.headerVar) env[entry.headerVar] = entry.bearer ? `${entry.header}: Bearer ${value}` : `${entry.header}: ${secret}`;
  }
  // The vault is done with: the keychain and the inventory are closed before the program runs.
  await context.close();
  return run(program, { ...context.io.env, ...env } as NodeJS.ProcessEnv, parsed.values['no-masking'] === true ? null : secrets);
}

/** Runs the program; output to a pipe or file is masked, a terminal gets it as it is. */
function run(program: string[], env: NodeJS.ProcessEnv, secrets: string[] | null): Promise<number> {
  const maskOut = secrets !== null && !process.stdout.isTTY;
  const maskErr = secrets !== null && !process.stderr.isTTY;
  return new Promise((resolve) => {
    const child = spawn(program[0]!, program.slice(1), { env, stdio: ['inherit', maskOut ? 'pipe' : 'inherit', maskErr ? 'pipe' : 'inherit'] });
    const pipe = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream) => {
      if (!from) return;
      // Core's redactor, streaming: every form and fragment it finds anywhere else, split across writes too.
      const masker = new ByteStreamRedactor(new Redactor(secrets!, { replacement: PLACEHOLDER }));
      from.on('data', (chunk: Buffer) => to.write(masker.push(chunk)));
      from.on('end', () => to.write(masker.end()));
    };
    if (maskOut) pipe(child.stdout, process.stdout);
    if (maskErr) pipe(child.stderr, process.stderr);
    // Ctrl-C and friends go to the program; tkv waits for it to end.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`tkv: cannot run ${path.basename(program[0]!)}: ${error.code === 'ENOENT' ? 'no such command' : error.code ?? error.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
    });
  });
}
