// tkv remote and tkv rotate end to end: the README's walkthrough with the real executable, the real
// keychain and the sandbox — create a key, check it, rotate it, both keys work during the overlap,
// finish, and the old key answers 401.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTkv } from '../../support/cli.ts';
import { filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const service = uniqueService('cli-remote');
const dataDir = scratchDir('cli-remote');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const quietOutputs: string[] = [];
const tokens: string[] = [];
let sandbox: TestSandbox;

/** Runs tkv; its output is searched for tokens at the end unless it was asked to show one. */
async function tkv(args: string[], options: { stdin?: string; showsToken?: boolean } = {}) {
  const run = await runTkv(args, { env, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
  if (!options.showsToken) quietOutputs.push(run.stdout, run.stderr);
  return run;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  expect((await tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', sandbox.url])).code).toBe(0);
  expect((await tkv(['key', 'add', 'demo/sandbox-admin', '--admin', '--scopes', '*'], { stdin: sandbox.adminKey('demo') })).code).toBe(0);
});

afterAll(async () => {
  await sandbox.dispose();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv remote and tkv rotate', () => {
  it('walks through create, check, rotate with an overlap, finish, and a 401 for the old key', async () => {
    const created = await tkv(['remote', 'create', 'demo/crm', '--scopes', 'tenant.core:read,Pass.Read', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ stored: true, definition: { name: 'crm', enabled: true }, key: { remoteName: 'crm' } });
    expect(JSON.parse(created.stdout).token).toBeUndefined();
    expect((await tkv(['check', 'demo/crm'])).code).toBe(0);

    const old = await tkv(['key', 'reveal', 'demo/crm'], { showsToken: true });
    const oldToken = old.stdout.trim();
    tokens.push(oldToken);

    const rotated = await tkv(['rotate', 'demo/crm', '--new-name', 'crm-2026']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('demo/crm now uses "crm-2026"');
    const shown = JSON.parse((await tkv(['key', 'show', 'demo/crm', '--json'])).stdout) as { remoteName: string; fingerprint: string };
    expect(shown.remoteName).toBe('crm-2026');
    const newToken = (await tkv(['key', 'reveal', 'demo/crm'], { showsToken: true })).stdout.trim();
    tokens.push(newToken);
    const adHoc = (token: string) => tkv(['check', '--base-url', sandbox.url, '--tenant-id', 'demo', '--key-stdin'], { stdin: token });
    // The overlap: both keys work.
    expect((await adHoc(oldToken)).code).toBe(0);
    expect((await adHoc(newToken)).code).toBe(0);
    const status = JSON.parse((await tkv(['rotate', '--status', '--json'])).stdout) as { state: string; step: string }[];
    expect(status).toEqual([expect.objectContaining({ state: 'overlap', step: 'switched', oldRemoteName: 'crm', newRemoteName: 'crm-2026' })]);

    const finished = await tkv(['rotate', 'demo/crm', '--finish']);
    expect(finished.code, finished.stderr).toBe(0);
    expect((await adHoc(oldToken)).code).toBe(10);
    expect((await tkv(['check', 'demo/crm'])).code).toBe(0);
    expect(JSON.parse((await tkv(['rotate', '--status', '--json'])).stdout)).toEqual([]);
  });

  it('lists the server keys against the vault, and keeps the snapshot for offline review', async () => {
    const listed = await tkv(['remote', 'list', 'demo', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout) as { keys: { name: string; enabled: boolean; local: { role: string } | null }[] };
    expect(listing.keys.map((key) => [key.name, key.enabled, key.local?.role ?? null])).toEqual([
      ['sandbox-admin', true, 'current'],
      ['crm', false, 'previous'],
      ['crm-2026', true, 'current'],
    ]);
    const human = await tkv(['remote', 'list', 'demo']);
    expect(human.stdout).toMatch(/crm-2026 +enabled +tenant\.core:read,Pass\.Read +demo\/crm /);
    const offline = await tkv(['remote', 'list', 'demo', '--offline', '--json']);
    expect(JSON.parse(offline.stdout).snapshotId).toBe((JSON.parse(listed.stdout) as { snapshotId: number }).snapshotId + 1);
  });

  it('duplicates with --like, prints the token only with --show-token, updates and deletes', async () => {
    const copy = await tkv(['remote', 'create', 'demo/crm-copy', '--like', 'demo/crm', '--disabled', '--show-token'], { showsToken: true });
    expect(copy.code, copy.stderr).toBe(0);
    const token = copy.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    tokens.push(token);
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(401); // created disabled
    const enabled = await tkv(['remote', 'update', 'demo/crm-copy', '--enable', '--json']);
    expect(JSON.parse(enabled.stdout)).toEqual({ name: 'crm-copy', enabled: true, permissions: ['tenant.core:read', 'Pass.Read'] });
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(200);
    const got = await tkv(['remote', 'get', 'demo/crm-copy', '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ name: 'crm-copy', enabled: true, local: { ref: { tenant: 'demo', name: 'crm-copy' }, hasSecret: true } });
    const deleted = await tkv(['remote', 'delete', 'demo/crm-copy', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(401);
    expect((await tkv(['key', 'show', 'demo/crm-copy'])).code).toBe(1);
  });

  it('warns, before deleting the admin key in use, that the tenant could no longer be managed', async () => {
    // No terminal and no --yes: the refusal says what the deletion would take away, and nothing goes.
    const refused = await tkv(['remote', 'delete', 'demo/sandbox-admin']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("demo/sandbox-admin is the admin key the vault uses for demo: once it is deleted, this tenant's keys cannot be listed, created, edited or rotated");
    expect(refused.stderr).toContain('pass --yes to confirm');
    expect((await sandbox.call('GET', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo') })).status).toBe(200);
    expect((await tkv(['key', 'show', 'demo/sandbox-admin'])).code).toBe(0);
    // Another key's deletion carries no such warning.
    const other = await tkv(['remote', 'delete', 'demo/crm']);
    expect(other.code).toBe(2);
    expect(other.stderr).not.toContain('admin key the vault uses');
  });

  it('exits 1 with the server\'s reason and 2 on usage errors', async () => {
    const missing = await tkv(['remote', 'get', 'demo/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404');
    await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'taken', permissions: ['*'] } });
    const taken = await tkv(['remote', 'create', 'demo/taken', '--scopes', 'Pass.Read', '--json']);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stdout).error.code).toBe('ALREADY_EXISTS');
    expect((await tkv(['remote', 'create', 'demo/x'])).code).toBe(2);
    expect((await tkv(['remote', 'create', 'demo/x', '--scopes', 'a', '--like', 'demo/crm'])).code).toBe(2);
    expect((await tkv(['remote', 'update', 'demo/crm', '--enable', '--disable'])).code).toBe(2);
    expect((await tkv(['rotate', 'demo/crm', '--finish', '--retire', 'shred'])).code).toBe(2);
    expect((await tkv(['rotate', 'demo/crm', '--resume'])).code).toBe(1);
  });

  it('keeps a pasted bearer token, and says at once when its expiry has passed', async () => {
    // A second vault tenant for the sandbox's demo, with no admin key: its admin calls use the token.
    expect((await tkv(['tenant', 'add', 'other', '--tenant-id', 'demo', '--base-url', sandbox.url])).code).toBe(0);
    const minted = (await (await sandbox.control('POST', '/_sandbox/bearer-tokens', { tenantId: 'demo', ttlSeconds: 600 })).json()) as { accessToken: string; expiresAt: string };
    tokens.push(minted.accessToken);
    const current = await tkv(['tenant', 'bearer', 'other', '--expires-at', minted.expiresAt], { stdin: minted.accessToken });
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toBe(`Stored the bearer token of other in the OS keychain; it expires at ${minted.expiresAt}. Admin calls use it while other has no key marked --admin.\n`);
    expect(current.stderr).not.toContain('warning');
    expect((await tkv(['remote', 'list', 'other'])).code).toBe(0);
    const past = await tkv(['tenant', 'bearer', 'other', '--expires-at', '2020-01-01T00:00:00Z'], { stdin: minted.accessToken });
    expect(past.code).toBe(0);
    expect(past.stderr).toBe('tkv: warning: that token expired at 2020-01-01T00:00:00Z: admin calls for other will be refused until a current one is pasted (tkv tenant bearer other).\n');
    expect((await tkv(['tenant', 'bearer', 'other', '--clear'])).code).toBe(0);
    expect((await tkv(['tenant', 'remove', 'other', '--yes'])).code).toBe(0);
  });

  it('shows no token in any output unless asked, and none in the data directory', () => {
    expect(tokens.length).toBe(4);
    for (const token of [...tokens, sandbox.adminKey('demo')]) {
      for (const output of quietOutputs) expect(output.includes(token)).toBe(false);
      expect(filesContaining([dataDir], token)).toEqual([]);
    }
  });
});
