/**
 * Golden transcripts: what `tkv` prints, as a person reads it, for each outcome a person meets.
 * Each scenario (scenarios.ts) runs the real executable in a child process against its own sandbox
 * on loopback, its own inventory and its own keychain service, with the vault's clock stopped
 * (TKV_CLOCK). What would differ from run to run is normalised, and only that:
 *
 * - the scenario's own paths, ports and keychain service are named (`<data-dir>`, `<sandbox>`…);
 * - fingerprints, ids, trace ids and review digests are numbered in order of appearance
 *   (`<fingerprint-1>`), so that
 *   the same key still reads as the same key;
 * - durations become `<n> ms` (`"durationMs": <n>` in JSON), and a time that is not the stopped clock's (the server's own) `<time>`.
 *
 * `npm test` compares them with test/transcripts/*.txt; `npm run transcripts` writes them again, and
 * the diff is read in review like code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTkv } from '../support/cli.ts';
import { scratchDir } from '../support/files.ts';
import { clearService, uniqueService } from '../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';
import { ADMIN_KEYS, CLOCK } from './fixed.ts';
import { SCENARIOS } from './scenarios.ts';

export const TRANSCRIPTS_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface Step {
  args: string[];
  stdin?: string;
  env?: Record<string, string | undefined>;
  /** Whose vault runs it, shown before the prompt (a second vault of the scenario). */
  as?: string;
}

/** What a scenario is given: the sandbox, the vault's environment, and ways to run tkv. */
export interface ScenarioContext {
  sandbox: TestSandbox;
  dataDir: string;
  /** A scratch directory for files a scenario writes (an import's .env, an export). */
  workDir: string;
  env: Record<string, string | undefined>;
  /** Runs tkv and records its output in the transcript. */
  tkv(args: string[], options?: Omit<Step, 'args'>): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Runs tkv as setup, unrecorded; it must succeed. */
  quietly(args: string[], options?: Omit<Step, 'args'>): Promise<{ stdout: string }>;
  /** A line of prose in the transcript, saying what the next commands show. */
  say(text: string): void;
  /** A key created on the sandbox's server for `tenant`; returns its token (never recorded). */
  serverKey(tenant: keyof typeof ADMIN_KEYS, name: string, permissions: string[], enabled?: boolean): Promise<string>;
  /** Names a URL or path that differs from run to run, for the normalisation. */
  name(value: string, as: string): void;
  /** Another person's vault (its own data directory and keychain service, removed afterwards): the env to run tkv as them. */
  vault(label: string): Record<string, string | undefined>;
}

export interface Scenario {
  /** The transcript's file name, without `.txt`. */
  name: string;
  title: string;
  run(context: ScenarioContext): Promise<void>;
}

/** Runs every scenario (or those named), returning each transcript's text. */
export async function runScenarios(only?: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.name)) continue;
    texts.set(scenario.name, await runScenario(scenario));
  }
  return texts;
}

async function runScenario(scenario: Scenario): Promise<string> {
  const dataDir = scratchDir(`transcript-${scenario.name}`);
  const workDir = scratchDir(`transcript-${scenario.name}-work`);
  const home = scratchDir(`transcript-${scenario.name}-home`);
  const service = uniqueService(`transcript-${scenario.name}`);
  const sandbox = await startTestSandbox({ tenants: ['demo', 'acme'], adminKeys: ADMIN_KEYS, now: () => Date.parse(CLOCK) });
  const names: [string, string][] = [
    [dataDir, '<data-dir>'],
    [workDir, '<work-dir>'],
    [home, '<home>'],
    [service, '<keychain-service>'],
    [sandbox.url.replace('http://', ''), '127.0.0.1:<sandbox-port>'],
    // The data directory's own name, as the doctor prints it; and this checkout, where Electron is looked for.
    [path.basename(dataDir), '<data-dir-name>'],
    [path.resolve(TRANSCRIPTS_DIR, '../..'), '<repo>'],
  ];
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    NO_COLOR: '1',
    TKV_DATA_DIR: dataDir,
    TKV_KEYCHAIN_SERVICE: service,
    TKV_CLOCK: CLOCK,
    // The keychain: the private D-Bus session the tests run in (test/support/with-keyring.ts).
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
  };
  const lines: string[] = [`# ${scenario.title}`, ''];
  const others: { dataDir: string; service: string }[] = [];
  const context: ScenarioContext = {
    sandbox,
    dataDir,
    workDir,
    env,
    async tkv(args, options = {}) {
      const run = await runTkv(args, { env: { ...env, ...options.env }, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
      const shown = args.map((arg) => (/[\s'"$`\\]/.test(arg) ? `'${arg.replaceAll("'", "'\\''")}'` : arg)).join(' ');
      const piped = options.stdin === undefined ? '' : `${options.stdin.includes('\n') ? '(a file)' : '(a key)'} | `;
      lines.push(`${options.as ?? ''}$ ${piped}tkv ${shown}`);
      if (run.stdout) lines.push(run.stdout.replace(/\n$/, ''));
      if (run.stderr) lines.push('[stderr]', run.stderr.replace(/\n$/, ''));
      lines.push(`[exit ${run.code ?? 'killed'}]`, '');
      return run;
    },
    async quietly(args, options = {}) {
      const run = await runTkv(args, { env: { ...env, ...options.env }, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
      if (run.code !== 0) throw new Error(`setup step tkv ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
      return run;
    },
    say(text) {
      lines.push(`## ${text}`, '');
    },
    async serverKey(tenant, name, permissions, enabled = true) {
      const response = await sandbox.call('POST', `/api/${tenant}/admin/apiKeys`, { key: ADMIN_KEYS[tenant], body: { name, permissions, enabled } });
      if (response.status !== 201) throw new Error(`the sandbox did not create ${name}: ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
    name(value, as) {
      names.push([value, as]);
    },
    vault(label) {
      const other = { dataDir: path.join(workDir, `${label}-data`), service: `${service}-${label}` };
      others.push(other);
      names.push([other.dataDir, `<${label}-data-dir>`], [other.service, `<${label}-keychain-service>`]);
      return { TKV_DATA_DIR: other.dataDir, TKV_KEYCHAIN_SERVICE: other.service };
    },
  };
  try {
    await scenario.run(context);
  } finally {
    await sandbox.dispose();
    await clearService(service);
    for (const other of others) await clearService(other.service);
    for (const dir of [dataDir, workDir, home]) fs.rmSync(dir, { recursive: true, force: true });
  }
  return normalise(`${lines.join('\n').trimEnd()}\n`, names);
}

/** The run-to-run differences of one transcript, named (see the file's comment). */
export function normalise(text: string, names: [string, string][]): string {
  let result = text;
  // Longest first: a path that contains another is named whole.
  for (const [value, as] of [...names].sort((a, b) => b[0].length - a[0].length)) result = result.replaceAll(value, as);
  const numbered = (pattern: RegExp, label: string) => {
    const seen = new Map<string, number>();
    result = result.replace(pattern, (match) => {
      if (!seen.has(match)) seen.set(match, seen.size + 1);
      return `<${label}-${seen.get(match)}>`;
    });
  };
  numbered(/\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b/g, 'trace-id');
  // A team's random parts: members' public keys, version ids, and git's commits (their time is the machine's).
  numbered(/\bage1[0-9a-z]{58}\b/g, 'age-recipient');
  numbered(/\bed25519:[A-Za-z0-9+/]{43}=/g, 'signing-key');
  numbered(/(?<![0-9a-f-])[0-9a-f]{20}(?![0-9a-f-])/g, 'version');
  numbered(/(?<=^ {2}|\(commit |at )[0-9a-f]{7,10}\b/gm, 'commit');
  numbered(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, 'id');
  // A review's digest covers its keys' ids and fingerprints, which differ from run to run.
  numbered(/\b[0-9a-f]{64}\b/g, 'digest');
  numbered(/(?<![0-9a-f-])[0-9a-f]{12}(?![0-9a-f-])/g, 'fingerprint');
  numbered(/127\.0\.0\.1:(?!<)\d{2,5}\b/g, 'port');
  result = result.replace(/\b\d+ ms\b/g, '<n> ms');
  result = result.replace(/"durationMs": \d+/g, '"durationMs": <n>');
  // A server's Date header, and the last part of a backup's name (its time).
  result = result.replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\b/g, '<http-date>');
  const clockMinute = `${CLOCK.slice(0, 10)} ${CLOCK.slice(11, 16)} UTC`;
  result = result.replace(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b/g, (time) => (time === clockMinute ? time : '<time> UTC'));
  result = result.replace(/inventory-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-/g, 'inventory-<time>-');
  result = result.replace(/\.replaced-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z/g, '.replaced-<time>');
  result = result.replace(/git version [0-9][\w.]*/g, 'git version <git-version>');
  result = result.replaceAll(`v${process.versions.node}`, '<node-version>').replaceAll(`Node ${process.versions.node}`, 'Node <node-version>');
  return result.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (time) => (Date.parse(time) === Date.parse(CLOCK) ? time : '<time>'));
}

/** The committed transcript of `name`, or null. */
export function committed(name: string): string | null {
  const file = path.join(TRANSCRIPTS_DIR, `${name}.txt`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}
