// `tkv import` through the real tkv, with the real keychain: a .env file and a CSV with malformed
// lines and duplicates, a dry run, and a keychain failing midway (what was stored is listed, nothing
// half-stored). No key of the files reaches any output.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeImport, parseImport, planImport } from '../../../src-main/core/keys/import.ts';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { PROBE_ACCOUNT_PREFIX, type SecretStore } from '../../../src-main/core/secrets/secret-store.ts';
import { VaultError } from '../../../src-main/core/errors.ts';
import { createServices } from '../../../src-main/core/services.ts';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

let dataDir: string;
let work: string;
let service: string;
let env: Record<string, string | undefined>;
const keys = Array.from({ length: 6 }, () => canaryToken());
const outputs: string[] = [];
const tkv = async (args: string[]) => {
  const run = await runTkv(args, { env, timeoutMs: 30_000 });
  outputs.push(run.stdout, run.stderr);
  return run;
};
const open = (secrets?: SecretStore) => createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, ...(secrets ? { secrets } : {}) });

beforeAll(async () => {
  dataDir = scratchDir('import');
  work = scratchDir('import-files');
  service = uniqueService('import');
  env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
  const services = open();
  services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
  services.tenants.add({ alias: 'other', tenantId: 'other', environment: 'staging' });
  await services.keys.add({ tenant: 'other', name: 'already', secret: keys[5]!, scopes: ['Pass.Read'] });
  await services.close();
});

afterAll(async () => {
  for (const key of keys) for (const output of outputs) expect(containsSecret(output, key)).toBe(false);
  for (const key of keys) expect(filesContaining([dataDir], key)).toEqual([]);
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('tkv import', () => {
  it('imports a .env file: only what looks like a key; export prefixes, quotes, comments; malformed lines by number; duplicates skipped, naming where', async () => {
    const file = path.join(work, '.env');
    fs.writeFileSync(
      file,
      [
        '# the CRM integration',
        `export CRM_SYNC_KEY="${keys[0]}"`,
        `BILLING_API_KEY='${keys[1]}'   `,
        'THIS LINE IS BROKEN',
        `REPORTING_TOKEN=  ${keys[2]}  # nightly`,
        `UNCLOSED="${keys[3]}`,
        `COPY_OF_OTHER=${keys[5]}`,
        'SHORT=abc123',
        'DATABASE_URL=postgres://app:hunter2@db.internal:5432/app',
        'DEBUG=true',
        '',
      ].join('\n'),
    );
    const dry = await tkv(['import', file, '--tenant', 'acme', '--dry-run']);
    expect(dry.stdout).toContain('line 2: CRM_SYNC_KEY → acme/crm-sync-key — would store');
    expect(dry.stdout).toContain('line 9: DATABASE_URL → acme/database-url — would skip: not an API key by its name or its value');
    expect(dry.stdout).toContain('Nothing was stored (--dry-run).');
    const services = open();
    expect(services.keys.list({ tenant: 'acme' })).toEqual([]);
    await services.close();

    const run = await tkv(['import', file, '--tenant', 'acme']);
    expect(run.code).toBe(3); // some stored, some lines could not be read: partial success
    expect(run.stdout).toContain('line 2: CRM_SYNC_KEY → acme/crm-sync-key — stored');
    // The name comes back as the same variable from tkv exec.
    expect(run.stdout).toContain('line 3: BILLING_API_KEY → acme/billing — stored');
    expect(run.stdout).toContain('line 5: REPORTING_TOKEN → acme/reporting-token — stored');
    expect(run.stdout).toContain('line 7: COPY_OF_OTHER → acme/copy-of-other — skipped: this key is already stored as other/already');
    expect(run.stdout).toContain('line 8: SHORT → acme/short — skipped: not an API key by its name or its value');
    expect(run.stdout).toContain('line 10: DEBUG → acme/debug — skipped: not an API key by its name or its value');
    expect(run.stdout).toContain('line 4: not read: not VAR=VALUE');
    expect(run.stdout).toContain("line 6: not read: UNCLOSED: the value's quotes are not closed");
    expect(run.stdout).toContain('3 variables were skipped as not API keys; --all imports every variable.');
    expect(run.stdout).toContain('tkv exec gives them back as CRM_SYNC_KEY_API_KEY, BILLING_API_KEY, REPORTING_TOKEN_API_KEY.');
    expect(run.stdout).toMatch(/still holds these keys in plain text: delete it now/);
    expect(run.stdout).not.toContain('hunter2');
    expect(fs.existsSync(file)).toBe(true); // never deleted by tkv
    const after = open();
    expect(await after.keys.secretOf(after.keys.find({ tenant: 'acme', name: 'reporting-token' })!)).toBe(keys[2]);
    expect(after.keys.find({ tenant: 'acme', name: 'database-url' })).toBeNull();
    expect(after.audit.entries().filter((entry) => entry.action === 'imported' && entry.tenant === 'acme')).toHaveLength(3);
    await after.close();
  });

  it('says in a dry run what the real run will refuse, and caps what it reads', async () => {
    const file = path.join(work, 'rules.csv');
    fs.writeFileSync(file, ['name,key,scopes,expires', `good,${canaryToken()},Pass.Read,2027-01-31`, `bad-date,${canaryToken()},Pass.Read,31/01/2027`, ''].join('\n'));
    const dry = await tkv(['import', file, '--tenant', 'acme', '--dry-run']);
    expect(dry.stdout).toContain('line 2: acme/good — would store');
    expect(dry.stdout).toMatch(/line 3: acme\/bad-date — would refuse: Expiry date/);
    expect(dry.code).toBe(3);
    const real = await tkv(['import', file, '--tenant', 'acme']);
    expect(real.stdout).toContain('line 2: acme/good — stored');
    expect(real.stdout).toMatch(/line 3: acme\/bad-date — refused: Expiry date/);
    expect(real.code).toBe(3);
    // An endless or huge file is refused unread, quickly, without growing.
    const endless = await tkv(['import', '/dev/zero', '--tenant', 'acme']);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toMatch(/is larger than 1 MiB: an import file holds a few keys/);
    const long = path.join(work, 'long.env');
    fs.writeFileSync(long, `LONG_API_KEY=${'x'.repeat(20_000)}\nOK_API_KEY=${canaryToken()}\n`);
    const lines = await tkv(['import', long, '--tenant', 'acme', '--dry-run']);
    expect(lines.stdout).toContain('line 1: not read: longer than 16,384 characters');
    expect(lines.stdout).toContain('line 2: OK_API_KEY → acme/ok — would store');
  });

  it('imports a CSV with a header row; a broken row is reported by line and the others go on', async () => {
    const file = path.join(work, 'keys.csv');
    fs.writeFileSync(file, ['name,key,scopes,expires,owner,notes', `webhooks,${keys[4]},"Webhook.Read Webhook.Write",2027-06-30,Ops,"relay, eu"`, `bad name!,${canaryToken()},,,,`, `dup,${keys[0]},,,,`, `late,"unclosed,,,,,`].join('\n'));
    const run = await tkv(['import', file, '--tenant', 'acme', '--json']);
    const report = JSON.parse(run.stdout) as { keys: { name: string; action: string; reason?: string }[]; problems: { line: number; message: string }[] };
    expect(report.keys).toContainEqual({ line: 2, name: 'webhooks', action: 'stored' });
    expect(report.keys).toContainEqual(expect.objectContaining({ name: 'dup', action: 'skipped', reason: 'this key is already stored as acme/crm-sync-key' }));
    expect(report.problems.map((problem) => problem.line)).toEqual(expect.arrayContaining([3]));
    expect(report.problems.find((problem) => problem.line === 3)!.message).not.toContain('bad name');
    const services = open();
    expect(services.keys.find({ tenant: 'acme', name: 'webhooks' })).toMatchObject({ scopes: ['Webhook.Read', 'Webhook.Write'], expiresOn: '2027-06-30', owner: 'Ops', notes: 'relay, eu' });
    await services.close();
    expect((await tkv(['import', path.join(work, 'missing.env'), '--tenant', 'acme'])).code).toBe(2);
    expect((await tkv(['import', file])).code).toBe(2);
  });

  it('removes a tenant with its keys only once confirmed: --yes without a terminal', async () => {
    const refused = await tkv(['tenant', 'remove', 'acme', '--with-keys']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Remove tenant acme and its \d+ keys?, keychain entries included\. Nothing was changed: there is no terminal to ask on; pass --yes to confirm/);
    const listed = JSON.parse((await tkv(['tenant', 'list', '--json'])).stdout) as { alias: string; keyCount: number }[];
    expect(listed.find((tenant) => tenant.alias === 'acme')!.keyCount).toBeGreaterThan(0);
    expect((await tkv(['tenant', 'remove', 'acme', '--with-keys', '--yes'])).code).toBe(0);
    expect((JSON.parse((await tkv(['tenant', 'list', '--json'])).stdout) as { alias: string }[]).map((tenant) => tenant.alias)).not.toContain('acme');
  });

  it('stops when the keychain fails midway: what was stored is listed, nothing is half-stored', async () => {
    let writes = 0;
    const real = new KeytarSecretStore({ service });
    const failing: SecretStore = {
      service: real.service,
      backend: real.backend,
      get: (account) => real.get(account),
      set: (account, secret) => {
        if (account.startsWith(PROBE_ACCOUNT_PREFIX)) return real.set(account, secret);
        writes += 1;
        return writes >= 2 ? Promise.reject(new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain stopped answering.')) : real.set(account, secret);
      },
      delete: (account) => real.delete(account),
      listAccounts: () => real.listAccounts(),
    };
    const services = open(failing);
    services.tenants.add({ alias: 'midway', tenantId: 'midway', environment: 'staging' });
    const parsed = parseImport(['ONE=' + canaryToken(), 'TWO=' + canaryToken(), 'THREE=' + canaryToken()].join('\n'), 'env');
    const outcome = await storeImport(services.keys, 'midway', planImport(services.keys, 'midway', parsed.entries));
    expect(outcome.stored.map((key) => key.name)).toEqual(['one']);
    expect(outcome.stoppedAt).toMatchObject({ line: 2, message: expect.stringMatching(/keychain stopped answering/) });
    expect(services.keys.list({ tenant: 'midway' }).map((key) => key.name)).toEqual(['one']);
    const accounts = await real.listAccounts();
    expect(accounts.filter((account) => !services.keys.list().some((key) => key.secretAccount === account))).toEqual([]);
    await services.close();
  });

  it('key add: a short key warns, whitespace is trimmed with a notice, and an empty stdin names the platform\'s paste command', async () => {
    const short = await runTkv(['key', 'add', 'other/tiny'], { env, stdin: '  abc123  \n' });
    outputs.push(short.stdout, short.stderr);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stderr).toContain('the key had spaces or tabs around it; they were removed');
    expect(short.stderr).toContain('the key is only 6 characters long');
    const empty = await runTkv(['key', 'add', 'other/nothing'], { env: { ...env, WAYLAND_DISPLAY: 'wayland-0' }, stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('wl-paste --no-newline | tkv key add');
    const x11 = await runTkv(['key', 'add', 'other/nothing'], { env: { ...env, WAYLAND_DISPLAY: undefined }, stdin: '' });
    expect(x11.stderr).toContain('xclip -o -selection clipboard | tkv key add');
  });
});
