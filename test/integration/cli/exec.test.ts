// `tkv exec` through the real tkv: the key in the child's environment and never in its argv, masked
// in what the child writes to a pipe (in every form, however its writes cut it), the child's exit
// code passed through, refusals and --force.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src-main/core/services.ts';
import { PLACEHOLDER } from '../../../src-main/cli/commands/exec.ts';
import { runTkv, TKV } from '../../support/cli.ts';
import { revealsSecret } from '../../support/escapes.ts';
import { canaryToken, containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

let dataDir: string;
let service: string;
let env: Record<string, string | undefined>;
const crm = canaryToken();
const billing = canaryToken();
const expired = canaryToken();
const outputs: string[] = [];

async function tkv(args: string[]) {
  const run = await runTkv(args, { env, timeoutMs: 30_000 });
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** A child that prints its environment's keys as it got them, and exits with a code of its choosing. */
const PRINTER = `const v = process.env; console.log(JSON.stringify({ crm: v.CRM_SYNC_API_KEY, url: v.CRM_SYNC_BASE_URL, tenant: v.CRM_SYNC_TENANT_ID, billing: v.BILLING_KEY, header: v.AUTH })); process.stderr.write('stderr: ' + v.CRM_SYNC_API_KEY + '\\n'); process.exit(Number(process.argv[1] ?? 0));`;

beforeAll(async () => {
  dataDir = scratchDir('exec');
  service = uniqueService('exec');
  env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
  const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service } });
  services.tenants.add({ alias: 'acme', tenantId: 'acme-prod', environment: 'production' });
  await services.keys.add({ tenant: 'acme', name: 'crm-sync', secret: crm, scopes: ['Pass.Read'] });
  await services.keys.add({ tenant: 'acme', name: 'billing', secret: billing, scopes: ['Pass.Read'] });
  const old = await services.keys.add({ tenant: 'acme', name: 'old', secret: expired, scopes: ['Pass.Read'], expiresOn: '2020-01-01' });
  expect(old.expired).toBe(true);
  await services.close();
});

afterAll(async () => {
  // The keys were in the children's environments only: in no output of tkv, no file of the vault.
  for (const secret of [crm, billing, expired]) {
    for (const output of outputs) expect(containsSecret(output, secret)).toBe(false);
    expect(filesContaining([dataDir], secret)).toEqual([]);
  }
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv exec', () => {
  it('puts the keys, base URL and tenant id in the environment, masks them in piped output, and passes the exit code through', async () => {
    const run = await tkv(['exec', 'acme/crm-sync', 'acme/billing', '--env', 'CRM_SYNC_API_KEY', '--env', 'BILLING_KEY', '--header-env', 'AUTH', '--', process.execPath, '-e', PRINTER, '7']);
    expect(run.code, run.stderr).toBe(7);
    expect(run.stdout).toContain(PLACEHOLDER);
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!.replaceAll(PLACEHOLDER, 'MASKED')) as Record<string, string>;
    expect(seen).toEqual({ crm: 'MASKED', url: 'https://app.neostore.cloud', tenant: 'acme-prod', billing: 'MASKED', header: 'X-API-KEY: MASKED' });
    expect(run.stderr).toContain(`stderr: ${PLACEHOLDER}`);
  });

  it('hands the real key to the child (--no-masking shows it), never on any argv', async () => {
    // A child that records its own argv and its parent's while it runs; the key is in neither.
    const probe = `const fs=require('fs'); const argv=(pid)=>{try{return fs.readFileSync('/proc/'+pid+'/cmdline','utf8')}catch{return ''}}; console.log(JSON.stringify({ hash: require('crypto').createHash('sha256').update(process.env.CRM_SYNC_API_KEY).digest('hex'), argv: argv(process.pid) + argv(process.ppid) }));`;
    const run = await runTkv(['exec', 'acme/crm-sync', '--no-masking', '--', process.execPath, '-e', probe], { env, timeoutMs: 30_000 });
    const seen = JSON.parse(run.stdout) as { hash: string; argv: string };
    expect(seen.hash).toBe((await import('node:crypto')).createHash('sha256').update(crm).digest('hex'));
    expect(containsSecret(seen.argv, crm)).toBe(false);
    expect(seen.argv).toContain('exec');
  });

  it('masks a key split across two writes of the child', async () => {
    const half = Math.floor(crm.length / 2);
    const split = `const k = process.env.CRM_SYNC_API_KEY; process.stdout.write('a' + k.slice(0, ${half})); setTimeout(() => process.stdout.write(k.slice(${half}) + 'b\\n'), 50);`;
    const run = await tkv(['exec', 'acme/crm-sync', '--', process.execPath, '-e', split]);
    expect(run.stdout).toBe(`a${PLACEHOLDER}b\n`);
  });

  it('masks the key encoded too: in a Basic auth header, and in hex', async () => {
    const logger = `const k = process.env.CRM_SYNC_API_KEY; console.log('Authorization: Basic ' + Buffer.from('svc:' + k).toString('base64')); console.log('hex ' + Buffer.from(k).toString('hex'));`;
    const run = await tkv(['exec', 'acme/crm-sync', '--', process.execPath, '-e', logger]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split(PLACEHOLDER).length - 1).toBe(2);
    expect(containsSecret(run.stdout, crm)).toBe(false);
    // What is left of the Basic header decodes to no part of the key 12 characters long.
    const left = Buffer.from(run.stdout.split('\n')[0]!.replace('Authorization: Basic ', '').split(PLACEHOLDER).join(''), 'base64').toString('latin1');
    for (let index = 0; index + 12 <= crm.length; index += 1) expect(left).not.toContain(crm.slice(index, index + 12));
  });

  it('masks the key however a shell script encodes it, each form cut in two by a pause: base64 (wrapped at 76), every byte percent-escaped, hex, \\u-escaped', async () => {
    // Each form is written in two parts with a pause between, so that tkv reads it in two chunks:
    // cut in the middle, and the base64 also right after its line break.
    const script = [
      'k="$CRM_SYNC_API_KEY"',
      'bytes() { printf %s "$k" | od -An -v -tx1 | tr -d "\\n"; }',
      'half() { n=$(( ${#2} / 2 )); printf "%s: " "$1"; printf %s "$2" | head -c "$n"; sleep 0.2; printf %s "$2" | tail -c +"$((n + 1))"; printf "\\n"; }',
      'b64=$(printf %s "svc:$k" | base64)',
      'half base64 "$b64"',
      'printf "wrapped: %s\\n" "$(printf %s "$b64" | head -n 1)"; sleep 0.2; printf "%s\\n" "$(printf %s "$b64" | tail -n +2)"',
      'half percent "$(bytes | sed "s/ /%/g")"',
      'half hex "$(bytes | tr -d " ")"',
      'half HEX "$(bytes | tr -d " " | tr a-f A-F)"',
      `half json "$(bytes | sed 's/ /\\\\u00/g')"`,
    ].join('\n');
    const shown = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const pipeline = spawn('sh', ['-c', '"$NODE" "$TKV" exec acme/crm-sync -- sh -c "$SCRIPT" | cat'], { env: { ...env, NODE: process.execPath, TKV, SCRIPT: script } as NodeJS.ProcessEnv });
      let stdout = '';
      let stderr = '';
      pipeline.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      pipeline.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      pipeline.on('error', reject);
      pipeline.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    outputs.push(shown.stdout, shown.stderr);
    expect(shown.code, shown.stderr).toBe(0);
    // Every form printed, each replaced where it was, and nothing of the key left in any encoding.
    for (const label of ['base64', 'wrapped', 'percent', 'hex', 'HEX', 'json']) expect(shown.stdout).toMatch(new RegExp(`^${label}: .*${PLACEHOLDER}`, 'm'));
    expect(shown.stdout.split(PLACEHOLDER).length - 1).toBeGreaterThanOrEqual(6);
    expect(revealsSecret(shown.stdout, crm, 8)).toBe(false);
    expect(containsSecret(shown.stdout, crm)).toBe(false);
  });

  it('refuses an expired key, naming why, unless --force; --dry-run names the variables and never a value', async () => {
    const refused = await tkv(['exec', 'acme/old', '--', process.execPath, '-e', 'process.exit(0)']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/acme\/old expired on 2020-01-01/);
    const forced = await tkv(['exec', 'acme/old', '--force', '--', process.execPath, '-e', 'console.log(process.env.OLD_API_KEY.length)']);
    expect(forced.code).toBe(0);
    expect(forced.stdout.trim()).toBe(String(expired.length));
    const dry = await tkv(['exec', 'acme/crm-sync', '--dry-run', '--', 'deploy.sh', '--prod']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^CRM_SYNC_API_KEY=<the key acme\/crm-sync, fingerprint [0-9a-f]+>$/m);
    expect(dry.stdout).toContain('CRM_SYNC_BASE_URL=https://app.neostore.cloud');
    expect(dry.stdout).toContain('would run: deploy.sh (with 1 argument(s))');
    const dryJson = JSON.parse((await tkv(['exec', 'acme/crm-sync', '--dry-run', '--json'])).stdout) as { variables: { name: string; holds: string }[]; command: unknown };
    expect(dryJson.variables.map((variable) => variable.name)).toEqual(['CRM_SYNC_API_KEY', 'CRM_SYNC_BASE_URL', 'CRM_SYNC_TENANT_ID']);
    expect(dryJson.command).toBeNull();
    // A bad variable name given where a key was meant is not repeated.
    const misplaced = await tkv(['exec', 'acme/crm-sync', '--env', `sk-live-${crm}`, '--', 'true']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('the value given is not a variable name');
    expect((await tkv(['exec', 'acme/crm-sync'])).code).toBe(2);
    expect((await tkv(['exec', 'acme/crm-sync', 'acme/billing', '--env', 'X', '--env', 'X', '--', 'true'])).stderr).toMatch(/both set X/);
    expect((await tkv(['exec', 'acme/missing', '--', 'true'])).code).toBe(1);
    const missingProgram = await tkv(['exec', 'acme/crm-sync', '--', 'no-such-program-here']);
    expect(missingProgram.code).toBe(127);
    const audit = JSON.parse((await tkv(['audit', '--action', 'injected', '--json'])).stdout) as { keyName: string; detail: { program: string; forced: boolean } }[];
    expect(audit.map((entry) => `${entry.keyName}:${entry.detail.program}:${entry.detail.forced}`)).toEqual(expect.arrayContaining(['old:node:true', 'crm-sync:node:false']));
  });

  it('passes a terminal through untouched (colours and all), and says so in its help', async () => {
    const help = await tkv(['exec', '--help']);
    expect(help.stdout).toMatch(/a terminal gets the output untouched/);
    // Under a pseudo-terminal (util-linux's script), the child writes to the terminal itself.
    const child = `process.stdout.write('\\x1b[32m' + process.env.CRM_SYNC_API_KEY.slice(0, 6) + '\\x1b[0m')`;
    const command = [process.execPath, TKV, 'exec', 'acme/crm-sync', '--', process.execPath, '-e', JSON.stringify(child)].join(' ');
    const shown = await new Promise<string>((resolve, reject) => {
      const run = spawn('script', ['-qec', command, '/dev/null'], { env: env as NodeJS.ProcessEnv });
      let text = '';
      run.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      run.on('error', reject);
      run.on('close', () => resolve(text));
    });
    expect(shown).toContain(`\x1b[32m${crm.slice(0, 6)}\x1b[0m`);
  });
});
