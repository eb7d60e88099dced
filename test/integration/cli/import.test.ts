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
  services.vault.addTenant({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
  services.vault.addTenant({ alias: 'other', tenantId: 'other', environment: 'staging' });
  await services.vault.addKey({ tenant: 'other', name: 'already', secret: keys[5]!, scopes: ['Pass.Read'] });
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
  it('imports a .env file: export prefixes, quotes, comments; malformed lines by number; duplicates skipped, naming where', async () => {
    const file = path.join(work, '.env');
    fs.writeFileSync(
      file,
      ['# the CRM integration', `export CRM_SYNC_KEY="${keys[0]}"`, `BILLING_KEY='${keys[1]}'   `, 'THIS LINE IS BROKEN', `REPORTING_KEY=  ${keys[2]}  # nightly`, `UNCLOSED="${keys[3]}`, `COPY_OF_OTHER=${keys[5]}`, 'SHORT=abc123', ''].join('\n'),
    );
    const dry = await tkv(['import', file, '--tenant', 'acme', '--dry-run']);
    expect(dry.stdout).toContain('line 2: acme/crm-sync-key — would store');
    expect(dry.stdout).toContain('Nothing was stored (--dry-run).');
    const services = open();
    expect(services.vault.listKeys({ tenant: 'acme' })).toEqual([]);
    await services.close();

    const run = await tkv(['import', file, '--tenant', 'acme']);
    expect(run.code).toBe(1); // malformed lines were reported
    expect(run.stdout).toContain('line 2: acme/crm-sync-key — stored');
    expect(run.stdout).toContain('line 3: acme/billing-key — stored');
    expect(run.stdout).toContain('line 5: acme/reporting-key — stored');
    expect(run.stdout).toContain('line 7: acme/copy-of-other — skipped (this key is already stored as other/already)');
    expect(run.stdout).toMatch(/line 8: acme\/short — stored\n\s+note: the key is only 6 characters long/);
    expect(run.stdout).toContain('line 4: not imported: not VAR=VALUE');
    expect(run.stdout).toContain("line 6: not imported: UNCLOSED: the value's quotes are not closed");
    expect(run.stdout).toMatch(/still holds these keys in plain text: delete it now/);
    expect(fs.existsSync(file)).toBe(true); // never deleted by tkv
    const after = open();
    expect(await after.vault.secretOf(after.vault.findKey({ tenant: 'acme', name: 'reporting-key' })!)).toBe(keys[2]);
    expect(after.vault.inventory.auditEntries().filter((entry) => entry.action === 'imported' && entry.tenant === 'acme')).toHaveLength(4);
    await after.close();
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
    expect(services.vault.findKey({ tenant: 'acme', name: 'webhooks' })).toMatchObject({ scopes: ['Webhook.Read', 'Webhook.Write'], expiresOn: '2027-06-30', owner: 'Ops', notes: 'relay, eu' });
    await services.close();
    expect((await tkv(['import', path.join(work, 'missing.env'), '--tenant', 'acme'])).code).toBe(2);
    expect((await tkv(['import', file])).code).toBe(2);
  });

  it('removes a tenant with its keys only once confirmed: --yes without a terminal', async () => {
    const refused = await tkv(['tenant', 'remove', 'acme', '--with-keys']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Remove tenant acme and its \d+ key\(s\), keychain entries included\. Nothing was changed: there is no terminal to ask on; pass --yes to confirm/);
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
    services.vault.addTenant({ alias: 'midway', tenantId: 'midway', environment: 'staging' });
    const parsed = parseImport(['ONE=' + canaryToken(), 'TWO=' + canaryToken(), 'THREE=' + canaryToken()].join('\n'), 'env');
    const outcome = await storeImport(services.vault, 'midway', planImport(services.vault, 'midway', parsed.entries));
    expect(outcome.stored.map((key) => key.name)).toEqual(['one']);
    expect(outcome.stoppedAt).toMatchObject({ line: 2, message: expect.stringMatching(/keychain stopped answering/) });
    expect(services.vault.listKeys({ tenant: 'midway' }).map((key) => key.name)).toEqual(['one']);
    const accounts = await real.listAccounts();
    expect(accounts.filter((account) => !services.vault.listKeys().some((key) => key.secretAccount === account))).toEqual([]);
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
