// Airwallex tenants in the vault, against the sandbox's Airwallex-style login exchange: a stored key
// checked through the login (and its scopes' low-risk probe), `exec` handing the program the
// short-lived bearer token rather than the key, the admin API refused with what to do instead, and
// "replace after regenerate": the old key dead at once, the new one checked before the old is dropped.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore, createServices } from '../../../src-main/core/services.ts';
import { PLACEHOLDER } from '../../../src-main/cli/commands/exec.ts';
import { runTkv } from '../../support/cli.ts';
import { containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

let sandbox: TestSandbox;
let dataDir: string;
let service: string;
let env: Record<string, string | undefined>;
let client: { clientId: string; apiKey: string };
const secrets: string[] = [];
const outputs: string[] = [];
const tkv = async (args: string[], stdin?: string) => {
  const run = await runTkv(args, { env, timeoutMs: 30_000, ...(stdin === undefined ? {} : { stdin }) });
  outputs.push(run.stdout, run.stderr);
  return run;
};

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  dataDir = scratchDir('airwallex');
  service = uniqueService('airwallex');
  env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
  client = (await (await sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['balances:read', 'accounts:read'], accounts: ['acct_main', 'acct_eu'] })).json()) as { clientId: string; apiKey: string };
  secrets.push(client.apiKey);
});

afterAll(async () => {
  for (const secret of secrets) {
    for (const output of outputs) expect(containsSecret(output, secret)).toBe(false);
    expect(filesContaining([dataDir], secret)).toEqual([]);
  }
  await sandbox.dispose();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Airwallex tenants', () => {
  it('stores an Airwallex account as a tenant and checks its key through the login exchange', async () => {
    const added = await tkv(['tenant', 'add', 'payments', '--tenant-id', 'acct_main', '--base-url', sandbox.url, '--provider', 'airwallex', '--client-id', client.clientId, '--login-as', 'acct_eu', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ provider: 'airwallex', clientId: client.clientId, loginAs: 'acct_eu' });
    expect((await tkv(['tenant', 'add', 'nope', '--tenant-id', 'x', '--env', 'demo', '--provider', 'airwallex'])).stderr).toMatch(/needs its client id/);
    expect((await tkv(['key', 'add', 'payments/treasury', '--scopes', 'balances:read'], client.apiKey)).code).toBe(0);
    const check = await tkv(['check', 'payments/treasury', '--json']);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ verdict: 'valid', probe: { id: 'balances' } });
  });

  it('exec hands the program the short-lived bearer token, never the key, masked in its output', async () => {
    const printer = `fetch(process.env.TREASURY_BASE_URL + '/api/v1/balances/current', { headers: { authorization: 'Bearer ' + process.env.TREASURY_TOKEN } }).then((r) => { console.log(r.status, process.env.TREASURY_API_KEY === undefined, process.env.TREASURY_TOKEN); })`;
    const run = await tkv(['exec', 'payments/treasury', '--', process.execPath, '-e', printer]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`200 true ${PLACEHOLDER}`);
    const dry = await tkv(['exec', 'payments/treasury', '--dry-run']);
    expect(dry.stdout).toMatch(/^TREASURY_TOKEN=<a bearer token from Airwallex's login exchange/m);
  });

  it('refuses the admin API and rotation for an Airwallex tenant, saying what to do instead', async () => {
    const remote = await tkv(['remote', 'list', 'payments']);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/Airwallex has no admin API for keys.*replace the entry's key/);
    expect((await tkv(['rotate', 'payments/treasury'])).stderr).toMatch(/Airwallex has no admin API/);
  });

  it('replaces a key after a regenerate: the new one is checked before the old one is dropped', async () => {
    const regenerated = (await (await sandbox.control('POST', `/_sandbox/airwallex/clients/${client.clientId}/regenerate`)).json()) as { apiKey: string };
    secrets.push(regenerated.apiKey);
    // The old key stopped at once.
    expect(JSON.parse((await tkv(['check', 'payments/treasury', '--json'])).stdout)).toMatchObject({ verdict: 'unauthorized' });
    // A wrong key is refused and the entry keeps what it had.
    const wrong = await tkv(['key', 'replace', 'payments/treasury'], 'not-the-regenerated-key-0123456789');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/stops the old one at once/);
    expect(wrong.stderr).toMatch(/did not pass .* keeps the key it had/);
    const replaced = await tkv(['key', 'replace', 'payments/treasury', '--json'], regenerated.apiKey);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ verdict: 'valid' });
    expect(JSON.parse((await tkv(['check', 'payments/treasury', '--json'])).stdout)).toMatchObject({ verdict: 'valid' });
    const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service } });
    const key = services.keys.find({ tenant: 'payments', name: 'treasury' })!;
    expect(await services.keys.secretOf(key)).toBe(regenerated.apiKey);
    // The old secret is gone from the keychain; the entry remembers it as an earlier key.
    expect((await services.secrets.listAccounts()).length).toBe(1);
    expect(services.keys.credentials(key.id)).toEqual([expect.objectContaining({ state: 'deleted' })]);
    expect(services.audit.entries(key.id).map((entry) => entry.action)).toContain('replaced');
    await services.close();
  });
  it('keeps a replacement whose old secret the keychain refused to delete, and says so', async () => {
    const regenerated = (await (await sandbox.control('POST', `/_sandbox/airwallex/clients/${client.clientId}/regenerate`)).json()) as { apiKey: string };
    secrets.push(regenerated.apiKey);
    const real = createSecretStore({ TKV_KEYCHAIN_SERVICE: service }, process.platform);
    const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, secrets: Object.assign(Object.create(real) as typeof real, { delete: () => Promise.reject(new Error('the keychain refused')) }) });
    const before = services.keys.show({ tenant: 'payments', name: 'treasury' });
    const replaced = await services.rotations.replaceAfterRegenerate({ tenant: 'payments', name: 'treasury' }, regenerated.apiKey);
    // The switch stands: the entry holds the new key; the old entry is reported, not thrown about.
    expect(replaced).toMatchObject({ oldDropped: false, oldAccount: before.secretAccount });
    expect(await services.keys.secretOf(services.keys.show({ tenant: 'payments', name: 'treasury' }))).toBe(regenerated.apiKey);
    expect(await real.get(before.secretAccount)).not.toBeNull();
    await real.delete(before.secretAccount);
    await services.close();
  });
});
