// tkv end to end: the real executable, the real keychain, SQLite in a temp dir.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryToken, filesContaining, scratchDir } from '../../support/files.ts';
import { runTkv } from '../../support/cli.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

const service = uniqueService('cli');
const dataDir = scratchDir('cli');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const token = canaryToken();
const outputs: string[] = [];

async function tkv(args: string[], stdin?: string, extraEnv: Record<string, string | undefined> = {}) {
  const run = await runTkv(args, { env: { ...env, ...extraEnv }, ...(stdin === undefined ? {} : { stdin }) });
  outputs.push(run.stdout, run.stderr);
  return run;
}

beforeAll(async () => {
  expect((await tkv(['tenant', 'add', 'acme', '--tenant-id', 'acme', '--env', 'production', '--label', 'Acme EU'])).code).toBe(0);
});
afterAll(async () => {
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv', () => {
  it('prints its version', async () => {
    const run = await tkv(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tkv \d+\.\d+\.\d+\n$/);
  });

  it('is run by a harness that lets a command close its stdin unread (no EPIPE)', async () => {
    // 8 MiB that tkv --version never reads: it exits, its stdin closes under the write.
    for (let run = 0; run < 3; run += 1) expect((await runTkv(['--version'], { env, stdin: 'x'.repeat(8 * 1024 * 1024) })).code).toBe(0);
  });

  it('adds a key from stdin, lists and shows it without the secret, reveals it on request', async () => {
    const add = await tkv(['key', 'add', 'acme/crm', '--scopes', 'Pass.Read,tenant.core:read', '--expires', '2027-06-30', '--owner', 'crm team', '--json'], `${token}\n`);
    expect(add.code, add.stderr).toBe(0);
    const added = JSON.parse(add.stdout) as { fingerprint: string; scopes: string[] };
    expect(added.scopes).toEqual(['Pass.Read', 'tenant.core:read']);
    expect(added.fingerprint).toMatch(/^[0-9a-f]{12}$/);

    const list = await tkv(['key', 'list']);
    expect(list.stdout).toMatch(/acme\/crm\s+Pass\.Read,tenant\.core:read\s+[0-9a-f]{12}\s+2027-06-30/);
    const show = JSON.parse((await tkv(['key', 'show', 'acme/crm', '--json'])).stdout) as Record<string, unknown>;
    expect(show).toMatchObject({ tenant: 'acme', name: 'crm', owner: 'crm team', fingerprint: added.fingerprint, lastJudgement: null, lastAttempt: null });
    for (const output of [add.stdout, add.stderr, list.stdout, JSON.stringify(show)]) expect(output).not.toContain(token);

    const reveal = await tkv(['key', 'reveal', 'acme/crm']);
    expect(reveal.code).toBe(0);
    expect(reveal.stdout).toBe(`${token}\n`);
    outputs.pop();
    outputs.pop(); // the reveal's output is the one place the token may appear
  });

  it('never stores the token in any file of the data directory, WAL and SHM included', async () => {
    const files = fs.readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['inventory.sqlite']));
    expect(filesContaining([dataDir], token)).toEqual([]);
    expect(outputs.join('\n')).not.toContain(token);
  });

  it('answers --json on every command, errors included', async () => {
    expect(JSON.parse((await tkv(['tenant', 'list', '--json'])).stdout)).toEqual([expect.objectContaining({ alias: 'acme', keyCount: 1, label: 'Acme EU' })]);
    const missing = await tkv(['key', 'show', 'acme/nope', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/No key acme\/nope/), remedies: [{ code: 'list-keys', tenant: 'acme' }] } });
    // Without --json, the remedy is worded, with the command that carries it out.
    expect((await tkv(['key', 'show', 'acme/nope'])).stderr).toBe("tkv: No key acme/nope in the vault.\n  - List acme's keys.\n      tkv key list --tenant acme\n");
    const reconcile = JSON.parse((await tkv(['reconcile', '--json'])).stdout) as { checkedKeys: number; orphanSecrets: unknown[] };
    expect(reconcile).toEqual({ orphanSecrets: [], missingSecrets: [], checkedKeys: 1 });
  });

  it('exits 2 on usage errors, and refuses a secret on the command line', async () => {
    const cases = [
      ['frobnicate'],
      ['tenant', 'add', 'x', '--tenant-id', 'x'],
      ['tenant', 'add', 'x', '--tenant-id', 'x', '--env', 'production', '--base-url', 'https://a.example'],
      ['tenant', 'add', 'x', '--tenant-id', 'x', '--base-url', 'http://example.com'],
      ['key', 'add', 'no-slash'],
      ['key', 'list', '--bogus'],
    ];
    for (const args of cases) expect((await tkv(args)).code, args.join(' ')).toBe(2);
    const argv = await tkv(['key', 'add', 'acme/argv', '--token', 'oops-in-history']);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toMatch(/never read from the command line/);
    expect((await tkv(['key', 'list', '--json'])).stdout).not.toContain('argv');
  });

  it('exits 1 with advice when an operation fails', async () => {
    const busy = await tkv(['tenant', 'remove', 'acme']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/--with-keys/);
    const empty = await tkv(['key', 'add', 'acme/empty'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No secret arrived on stdin/);
  });

  it('fails within 10 s with the cause and the fix when no Secret Service is reachable, writing nothing', async () => {
    const before = JSON.parse((await tkv(['key', 'list', '--json'])).stdout) as unknown[];
    const secret = canaryToken();
    const run = await tkv(['key', 'add', 'acme/offline'], secret, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tkv-bus', DISPLAY: undefined });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr).toMatch(/keychain is unavailable/);
    expect(run.stderr).toMatch(/gnome-keyring or KWallet must be running and unlocked/);
    expect(run.stderr).not.toContain(secret);
    expect(JSON.parse((await tkv(['key', 'list', '--json'])).stdout)).toEqual(before);
    expect(filesContaining([dataDir], secret)).toEqual([]);
  });

  it('doctor checks the keychain round trip, the data directory, the inventory and its backups', async () => {
    const ok = await tkv(['doctor', '--json']);
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(ok.code).toBe(0);
    expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
      ['keychain', true],
      ['data directory', true],
      ['inventory', true],
      ['backups', true],
      ['permissions', true],
      ['node', true],
      ['electron', true],
      ['git', true],
    ]);
    const broken = await tkv(['doctor'], undefined, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tkv-bus', DISPLAY: undefined });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/FAIL {2}keychain/);
    expect(broken.stdout).toMatch(/fix: On Linux a Secret Service/);
    // The keychain's fix is said once, and names the service in force.
    expect(broken.stdout.match(/On Linux a Secret Service/g)).toHaveLength(1);
    expect(broken.stdout).toContain(`service "${service}"`);
    // the round trip leaves no probe entry behind
    expect(JSON.parse((await tkv(['reconcile', '--json'])).stdout)).toMatchObject({ orphanSecrets: [] });
  });

  it('removes a key and then its tenant', async () => {
    // Without a terminal to ask on, a destructive command needs --yes, and changes nothing without it.
    const unconfirmed = await tkv(['key', 'remove', 'acme/crm']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/pass --yes to confirm/);
    expect((await tkv(['key', 'show', 'acme/crm'])).code).toBe(0);
    expect((await tkv(['key', 'remove', 'acme/crm', '--yes'])).code).toBe(0);
    expect((await tkv(['reveal', 'acme/crm'])).code).toBe(2);
    expect((await tkv(['key', 'reveal', 'acme/crm'])).code).toBe(1);
    expect((await tkv(['tenant', 'remove', 'acme'])).code).toBe(0);
    expect(JSON.parse((await tkv(['tenant', 'list', '--json'])).stdout)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'inventory.sqlite'))).toBe(true);
  });
});
