// Rotation against the sandbox with the real keychain: the happy path, interruptions by sandbox
// faults and by killing `tkv rotate` at each step, each followed by a resume, with the two promises
// checked after every interruption:
//   1. every server key the vault created is known to it;
//   2. the entry has a working key in the keychain.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { remedySentence } from '../../../src-main/shared/remedies.ts';
import type { UnsavedToken } from '../../../src-main/core/admin/unsaved-tokens.ts';
import type { SecretStore } from '../../../src-main/core/secrets/secret-store.ts';
import type { Services } from '../../../src-main/core/services.ts';
import { runTkv, TKV } from '../../support/cli.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { filesContaining } from '../../support/files.ts';
import { rejected } from '../../support/errors.ts';
import { failingAfterRoundTrip } from '../../support/keychain.ts';
import type { TestSandbox } from '../../support/sandbox.ts';

const seenTokens = new Set<string>();
const outputs: string[] = [];
let fixture: AdminFixture;
let sandbox: TestSandbox;
let secrets: SecretStore;
let vault: Services;
let dataDir: string;
let env: Record<string, string | undefined>;
const serverKeys = () => fixture.serverKeys();

/** The vault's services on the fixture's inventory, with `store` for a keychain; closed after the test. */
function services(store: SecretStore = secrets, onUnsavedToken?: (token: UnsavedToken) => boolean): Services {
  const opened = fixture.openVault(store, { rotation: { verifyAttempts: 2, verifyDelayMs: 20 }, ...(onUnsavedToken ? { onUnsavedToken } : {}) });
  opens.push(opened);
  return opened;
}
const opens: Services[] = [];
afterEach(async () => {
  for (const opened of opens.splice(0)) await opened.close();
});

/**
 * Whether the server accepts a key: 403 on a route none of these keys has the scope for proves it
 * authenticates, 401 that it does not. (Not the config probe's route: some tests fault that one.)
 */
async function works(token: string): Promise<number> {
  const status = (await sandbox.call('GET', '/api/demo/secrets', { key: token })).status;
  return status === 403 ? 200 : status;
}

/** Promise 1 and 2, read from the inventory, the keychain and the server as they are now. */
async function assertInvariants(name: string): Promise<void> {
  // A fresh connection, as a new process would open it.
  const fresh = fixture.openVault(secrets);
  try {
    const known = new Set<string>(['sandbox-admin']);
    for (const key of fresh.keys.list({ tenant: 'demo' })) {
      known.add(key.remoteName);
      for (const credential of fresh.keys.credentials(key.id)) if (credential.state !== 'deleted') known.add(credential.remote_name);
    }
    for (const rotation of fresh.rotations.list()) known.add(rotation.newRemoteName);
    const unknown = (await serverKeys()).map((key) => key.name).filter((server) => !known.has(server));
    expect(unknown, 'server keys the vault does not know').toEqual([]);
    const entry = fresh.keys.show({ tenant: 'demo', name });
    const secret = await secrets.get(entry.secretAccount);
    expect(secret, 'the entry has a secret in the keychain').not.toBeNull();
    seenTokens.add(secret!);
    expect(await works(secret!), 'the entry\'s key works').toBe(200);
  } finally {
    await fresh.close();
  }
}

async function addServerKey(name: string, permissions = ['tenant.core:read']): Promise<void> {
  const response = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name, permissions } });
  const { token } = (await response.json()) as { token: string };
  seenTokens.add(token);
  await vault.keys.add({ tenant: 'demo', name, secret: token, scopes: permissions });
}

async function faults(rules: unknown[]): Promise<void> {
  expect((await sandbox.control('PUT', '/_sandbox/config', { faults: rules })).status).toBe(200);
}

beforeAll(async () => {
  fixture = await startAdminFixture('rotation', ['demo']);
  ({ sandbox, secrets, vault, dataDir } = fixture);
  env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: fixture.service };
});

afterAll(() => fixture.dispose());

describe('rotation', () => {
  it('creates a new key with the same permissions, overlaps, then retires the old one', async () => {
    await addServerKey('crm', ['tenant.core:read', 'Pass.Read']);
    const oldToken = await vault.keys.reveal({ tenant: 'demo', name: 'crm' });
    const { rotations } = services();
    const started = await rotations.start({ tenant: 'demo', name: 'crm' }, { newName: 'crm-v2' });
    expect(started).toMatchObject({ state: 'overlap', step: 'switched', oldRemoteName: 'crm', newRemoteName: 'crm-v2' });
    const entry = vault.keys.show({ tenant: 'demo', name: 'crm' });
    expect(entry.remoteName).toBe('crm-v2');
    const newToken = (await secrets.get(entry.secretAccount))!;
    expect(newToken).not.toBe(oldToken);
    // The overlap: both keys work.
    expect(await works(oldToken)).toBe(200);
    expect(await works(newToken)).toBe(200);
    expect((await serverKeys()).find((key) => key.name === 'crm-v2')?.permissions).toEqual(['tenant.core:read', 'Pass.Read']);
    await assertInvariants('crm');

    const finished = await rotations.finish({ tenant: 'demo', name: 'crm' });
    expect(finished).toMatchObject({ state: 'finished', retire: 'disable' });
    expect(await works(oldToken)).toBe(401);
    expect(await works(newToken)).toBe(200);
    expect((await serverKeys()).find((key) => key.name === 'crm')?.enabled).toBe(false);
    const journal = rotations.journal({ tenant: 'demo', name: 'crm' })[0]!.journal.map((entry) => `${entry.step}:${entry.phase}`);
    expect(journal).toEqual(['begin:after', 'create:before', 'create:after', 'verify:before', 'verify:after', 'switch:after', 'retire:before', 'retire:after']);
    const actions = vault.audit.entries().filter((entry) => entry.keyName === 'crm').map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['rotation_started', 'rotated', 'retired']));
    await assertInvariants('crm');
    // Someone pastes the old key: the vault knows it as crm's previous key, disabled by this rotation.
    const config = vault.checks.probe('wallet-crew', 'config');
    const pasted = await vault.checks.checkSecret({ baseUrl: sandbox.url, tenantId: 'demo', vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } }, oldToken, config);
    expect(pasted.verdict).toBe('unauthorized');
    expect(pasted.nextSteps[0]).toMatchObject({ code: 'previous-key', holder: { tenant: 'demo', name: 'crm' }, remoteName: 'crm', state: 'disabled', retiredAt: expect.any(String) });
    expect(remedySentence(pasted.nextSteps[0]!)).toMatch(/^This is demo\/crm's previous key \("crm"\), replaced by the rotation on \d{4}-\d{2}-\d{2} and disabled on \d{4}-\d{2}-\d{2}/);
  });

  it('allows one rotation per key at a time', async () => {
    await addServerKey('solo');
    const { rotations } = services();
    await rotations.start({ tenant: 'demo', name: 'solo' });
    const second = await rejected(rotations.start({ tenant: 'demo', name: 'solo' }));
    expect(second.code).toBe('CONFLICT');
    // Aborting during the overlap switches back to the old key and deletes the new one.
    const newName = rotations.list()[0]!.newRemoteName;
    const aborted = await rotations.abort({ tenant: 'demo', name: 'solo' });
    expect(aborted.state).toBe('rolled_back');
    expect(vault.keys.show({ tenant: 'demo', name: 'solo' }).remoteName).toBe('solo');
    expect((await serverKeys()).some((key) => key.name === newName)).toBe(false);
    await assertInvariants('solo');
    expect((await vault.keys.reconcile()).orphanSecrets).toEqual([]);
  });

  it('resumes after a server error at create, at verify and at retire', async () => {
    await addServerKey('faulty');
    const ref = { tenant: 'demo', name: 'faulty' };
    const { rotations } = services();

    await faults([{ route: 'POST /api/demo/admin/apiKeys', failureRate: 1 }]);
    expect((await rejected(rotations.start(ref))).code).toBe('REMOTE_FAILED');
    expect(rotations.list().find((r) => r.key.name === 'faulty')).toMatchObject({ state: 'started', step: 'create' });
    await assertInvariants('faulty');

    // The server creates the key but its answer, with the only copy of the token, is lost.
    await faults([{ route: 'POST /api/demo/admin/apiKeys', dropResponse: true }]);
    expect((await rejected(rotations.resume(ref))).code).toBe('REMOTE_FAILED');
    const pending = rotations.list().find((r) => r.key.name === 'faulty')!;
    expect(pending).toMatchObject({ state: 'started', step: 'create' });
    expect((await serverKeys()).some((key) => key.name === pending.newRemoteName)).toBe(true);
    await assertInvariants('faulty');

    await faults([{ route: 'GET /api/demo/admin/config', failureRate: 1 }]);
    expect((await rejected(rotations.resume(ref))).code).toBe('REMOTE_FAILED');
    expect(rotations.list().find((r) => r.key.name === 'faulty')).toMatchObject({ state: 'started', step: 'created' });
    await assertInvariants('faulty');

    await faults([]);
    expect(await rotations.resume(ref)).toMatchObject({ state: 'overlap' });
    await assertInvariants('faulty');
    // The key whose token was lost was deleted and created afresh: the server's key is the entry's.
    const discarded = rotations.journal(ref)[0]!.journal.filter((entry) => entry.step === 'discard-new' && entry.phase === 'after');
    expect(discarded.map((entry) => entry.detail)).toEqual([{ existed: false }, { existed: true }]);

    await faults([{ route: 'PUT /api/demo/admin/apiKeys/*', failureRate: 1 }]);
    expect((await rejected(rotations.finish(ref))).code).toBe('REMOTE_FAILED');
    expect(rotations.list().find((r) => r.key.name === 'faulty')).toMatchObject({ state: 'overlap', step: 'retire' });
    await assertInvariants('faulty');

    await faults([]);
    expect(await rotations.resume(ref)).toMatchObject({ state: 'finished' });
    await assertInvariants('faulty');
    // Exactly one enabled server key for the entry.
    const mine = (await serverKeys()).filter((key) => key.name.startsWith('faulty'));
    expect(mine.filter((key) => key.enabled).map((key) => key.name)).toEqual([vault.keys.show(ref).remoteName]);
  });

  it('shows the new token once when the keychain fails after create, and resumes with a fresh key', async () => {
    await addServerKey('flaky');
    const ref = { tenant: 'demo', name: 'flaky' };
    const shown: UnsavedToken[] = [];
    const failing = failingAfterRoundTrip(secrets);
    const { rotations: broken } = services(failing, (token) => shown.push(token) > 0);
    const error = await rejected(broken.start(ref));
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(shown).toHaveLength(1);
    seenTokens.add(shown[0]!.token);
    expect(await works(shown[0]!.token)).toBe(200); // the token shown is the server's real one
    expect(vault.audit.entries().some((entry) => entry.action === 'token_unsaved' && entry.fingerprint === shown[0]!.fingerprint)).toBe(true);
    await assertInvariants('flaky');

    const { rotations } = services();
    expect(await rotations.resume(ref)).toMatchObject({ state: 'overlap' });
    // The unsaved key was replaced: its token no longer works, the entry's does.
    expect(await works(shown[0]!.token)).toBe(401);
    await assertInvariants('flaky');
    await rotations.finish(ref, { retire: 'delete' });
    await assertInvariants('flaky');
  });

  it('deletes the new key at once when the keychain fails after create and nobody can be shown the token', async () => {
    await addServerKey('unheld');
    const ref = { tenant: 'demo', name: 'unheld' };
    const before = (await serverKeys()).map((key) => key.name);
    const { rotations: broken } = services(failingAfterRoundTrip(secrets), () => false);
    const error = await rejected(broken.start(ref));
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/nobody could be shown it; the new key was deleted again on the server/);
    expect((await serverKeys()).map((key) => key.name)).toEqual(before);
    await assertInvariants('unheld');
    const { rotations } = services();
    expect(await rotations.abort(ref)).toMatchObject({ state: 'rolled_back' });
    await assertInvariants('unheld');
  });

  it('20 rotations in a row leave one enabled server key and one keychain entry for it', async () => {
    await addServerKey('loop');
    const ref = { tenant: 'demo', name: 'loop' };
    const { rotations } = services();
    for (let round = 0; round < 20; round += 1) {
      await rotations.start(ref);
      await rotations.finish(ref, { retire: round % 2 === 0 ? 'delete' : 'disable' });
    }
    const entry = vault.keys.show(ref);
    const mine = (await serverKeys()).filter((key) => key.name.startsWith('loop'));
    expect(mine.filter((key) => key.enabled).map((key) => key.name)).toEqual([entry.remoteName]);
    const current = (await secrets.get(entry.secretAccount))!;
    expect(await works(current)).toBe(200);
    // The keychain holds the enabled key's token once; what else it keeps of this entry are the
    // disabled keys' tokens (kept, should one be enabled again), and each of those is refused.
    const credentials = vault.keys.credentials(entry.id);
    expect(credentials).toHaveLength(20);
    const values = await Promise.all((await secrets.listAccounts()).map((account) => secrets.get(account)));
    expect(values.filter((value) => value === current)).toHaveLength(1);
    const kept = credentials.filter((credential) => credential.state === 'disabled');
    expect(kept).toHaveLength(10);
    for (const credential of credentials) {
      const token = await secrets.get(credential.account);
      if (credential.state === 'deleted') expect(token).toBeNull();
      else expect(await works(token!)).toBe(401);
    }
    expect(mine.filter((key) => !key.enabled)).toHaveLength(10);
    await assertInvariants('loop');
    // Removing the entry removes every secret it kept.
    await vault.keys.remove(ref);
    for (const credential of credentials) expect(await secrets.get(credential.account)).toBeNull();
    expect((await vault.keys.reconcile()).orphanSecrets).toEqual([]);
    // Removing an entry is local; its disabled server keys are cleaned up here by hand.
    for (const key of mine) await sandbox.call('DELETE', `/api/demo/admin/apiKeys/${key.name}`, { key: sandbox.adminKey('demo') });
  });
});

/** Runs `tkv rotate …` and SIGKILLs it once the journal shows `step`/`phase`. */
async function killAt(args: string[], step: string, phase: 'before' | 'after'): Promise<void> {
  const child = spawn(process.execPath, [TKV, 'rotate', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const started = Date.now();
  const db = new Database(path.join(dataDir, 'inventory.sqlite'), { readonly: true });
  try {
    for (;;) {
      const hit = db.prepare(`SELECT 1 FROM rotation_journal j JOIN rotations r ON r.id = j.rotation_id WHERE r.key_name = ? AND j.step = ? AND j.phase = ? AND r.state IN ('started', 'overlap')`).get(args[0]!.split('/')[1], step, phase);
      if (hit) break;
      if (Date.now() - started > 15_000) throw new Error(`tkv rotate never reached ${step}:${phase}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  } finally {
    db.close();
  }
  child.kill('SIGKILL');
  expect(await exited).toBeNull(); // killed, not finished
  outputs.push(output);
}

describe('rotation killed mid-step, then resumed', () => {
  it('survives a kill while the create call is in flight', async () => {
    await addServerKey('killed');
    await faults([{ route: 'POST /api/demo/admin/apiKeys', latencyMs: 1500 }]);
    await killAt(['demo/killed', '--new-name', 'killed-v2'], 'create', 'before');
    await new Promise((resolve) => setTimeout(resolve, 1700)); // whatever the sandbox does with it, it has done
    await faults([]);
    await assertInvariants('killed');

    const resumed = await runTkv(['rotate', 'demo/killed', '--resume', '--json'], { env });
    outputs.push(resumed.stdout, resumed.stderr);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'overlap', newRemoteName: 'killed-v2' });
    await assertInvariants('killed');
  });

  it('survives a kill during verification and during retire', async () => {
    await addServerKey('killed2');
    await faults([{ route: 'GET /api/demo/admin/config', latencyMs: 1500 }]);
    await killAt(['demo/killed2'], 'verify', 'before');
    await faults([]);
    await assertInvariants('killed2');
    const resumed = await runTkv(['rotate', 'demo/killed2', '--resume', '--json'], { env });
    outputs.push(resumed.stdout, resumed.stderr);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'overlap' });
    await assertInvariants('killed2');

    await faults([{ route: 'DELETE /api/demo/admin/apiKeys/*', latencyMs: 1500 }]);
    await killAt(['demo/killed2', '--finish', '--retire', 'delete', '--yes'], 'retire', 'before');
    await faults([]);
    await assertInvariants('killed2');
    const status = await runTkv(['rotate', '--status', '--json'], { env });
    expect(JSON.parse(status.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ key: { tenant: 'demo', name: 'killed2' }, step: 'retire' })]));
    const finished = await runTkv(['rotate', 'demo/killed2', '--resume', '--json'], { env });
    outputs.push(finished.stdout, finished.stderr);
    expect(finished.code, finished.stderr).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ state: 'finished', retire: 'delete' });
    await assertInvariants('killed2');
    expect((await serverKeys()).filter((key) => key.name.startsWith('killed2')).map((key) => key.name)).toEqual([vault.keys.show({ tenant: 'demo', name: 'killed2' }).remoteName]);
  });

  it('writes no token to any stored row, log or output', () => {
    expect(seenTokens.size).toBeGreaterThan(10);
    for (const token of seenTokens) {
      expect(filesContaining([dataDir], token)).toEqual([]);
      for (const output of outputs) expect(output.includes(token)).toBe(false);
    }
  });
});
