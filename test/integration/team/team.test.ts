// A team on one machine, as three people would run it: three vaults (data directories and keychain
// services of their own), one bare git repository as the remote, the real tkv executable, the real
// keychain, Debian's git and age, and the sandbox to check keys against. Keys go from one vault to
// another and back, a rotation reaches the others as a replaced secret checked first, a removed
// member is encrypted out and every key they saw is listed to rotate, concurrent changes are kept
// both ways, and forged or tampered files are refused by name while the rest is applied. No secret
// reaches a file, git's objects (decompressed) or any output but an explicit reveal.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { TEAM_IDENTITY_ACCOUNT, TEAM_SIGNING_ACCOUNT } from '../../../src-main/core/team/team-identity.ts';
import { canonicalJsonBytes, sign } from '../../../src-main/core/team/signing.ts';
import { sha256Hex } from '../../../src-main/core/team/team-files.ts';
import type { PullReport, TeamStatus } from '../../../src-main/shared/contract/team.ts';
import { runTkv } from '../../support/cli.ts';
import { containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const ageMissing = spawnSync('age', ['--version']).status !== 0;
if (ageMissing) console.warn('team interop steps skipped: the age binary is not on PATH (CI installs Debian\'s age in .ci/run; locally: apt-get install age).');

const root = scratchDir('team');
const remote = path.join(root, 'remote.git');
const outputs: string[] = [];
const tokens: string[] = [];
let sandbox: TestSandbox;

interface Person {
  name: string;
  service: string;
  dataDir: string;
  workDir: string;
  env: Record<string, string | undefined>;
}

function person(name: string): Person {
  const dataDir = path.join(root, `${name}-data`);
  const home = path.join(root, `${name}-home`);
  fs.mkdirSync(home, { recursive: true });
  const service = uniqueService(`team-${name}`);
  // A HOME of their own and no git identity: the vault commits under the member's name.
  return { name, service, dataDir, workDir: path.join(root, `${name}-team`), env: { ...process.env, HOME: home, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service, GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: path.join(home, '.config') } };
}

const ana = person('ana');
/** Points in the team's history an attacker could put back: the first share of crm, and Carl's record before his removal. */
const history = { firstShare: '', firstCrm: '', beforeRemoval: '' };
const bob = person('bob');
const carl = person('carl');
const dave = person('dave');

async function tkv(who: Person, args: string[], options: { stdin?: string; showsToken?: boolean; expect?: number } = {}) {
  const run = await runTkv(args, { env: who.env, timeoutMs: 60_000, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
  if (!options.showsToken) outputs.push(run.stdout, run.stderr);
  expect(run.code, `${who.name}: tkv ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(options.expect ?? 0);
  return run;
}

const json = <T>(run: { stdout: string }) => JSON.parse(run.stdout) as T;

function git(args: string[], cwd: string): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'mallory', GIT_AUTHOR_EMAIL: 'm@example.invalid', GIT_COMMITTER_NAME: 'mallory', GIT_COMMITTER_EMAIL: 'm@example.invalid' } });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function serverKey(name: string, permissions = ['tenant.core:read', 'Pass.Read']): Promise<string> {
  const response = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name, permissions } });
  expect(response.status).toBe(201);
  const token = ((await response.json()) as { token: string }).token;
  tokens.push(token);
  return token;
}

async function reveal(who: Person, ref: string): Promise<string> {
  return (await tkv(who, ['key', 'reveal', ref], { showsToken: true })).stdout.trim();
}

async function identityOf(who: Person): Promise<{ recipient: string; signingKey: string }> {
  return json(await tkv(who, ['team', 'identity', '--json']));
}

/** A member's private keys, exported from their keychain for the test (as a person could with their keychain's tool). */
async function privateKeysOf(who: Person): Promise<{ identity: string; signingKey: string }> {
  const store = new KeytarSecretStore({ service: who.service });
  return { identity: (await store.get(TEAM_IDENTITY_ACCOUNT))!, signingKey: (await store.get(TEAM_SIGNING_ACCOUNT))! };
}

async function status(who: Person): Promise<TeamStatus> {
  return json(await tkv(who, ['team', 'status', '--json']));
}

function shared(state: TeamStatus, name: string) {
  const key = state.keys.find((candidate) => candidate.heads[0]!.name === name);
  if (!key) throw new Error(`${name} is not shared: ${JSON.stringify(state.refused)}`);
  return key;
}

/** A throwaway clone for the attacker's edits, pushed straight to the remote. */
function attackerClone(label: string): string {
  const dir = path.join(root, `mallory-${label}`);
  git(['clone', '--quiet', '--branch', 'main', remote, dir], root);
  return dir;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  git(['init', '--quiet', '--bare', remote], root);
  await tkv(ana, ['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', sandbox.url]);
  await tkv(ana, ['key', 'add', 'demo/sandbox-admin', '--admin', '--scopes', '*'], { stdin: sandbox.adminKey('demo') });
  tokens.push(sandbox.adminKey('demo'));
}, 60_000);

afterAll(async () => {
  await sandbox.dispose();
  for (const who of [ana, bob, carl, dave]) await clearService(who.service);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a team through git and age', { timeout: 120_000 }, () => {
  it('founds a team, adds two members with the keys their identities print, and shares a key with one of them', async () => {
    const founded = await tkv(ana, ['team', 'init', ana.workDir, '--name', 'support', '--member', 'ana', '--remote', remote]);
    expect(founded.stdout).toContain(`Founded team support in ${ana.workDir}, with you as its founding member ana.`);
    // The identity: two public keys and the line a member runs; never a private key.
    const printed = await tkv(bob, ['team', 'identity', '--as', 'bob']);
    const bobId = await identityOf(bob);
    expect(printed.stdout).toBe(`${bobId.recipient}\n${bobId.signingKey}\n\nA member adds this vault to their team with:\n  tkv team add-member bob ${bobId.recipient} ${bobId.signingKey}\n`);
    const bobKeys = await privateKeysOf(bob);
    expect(bobKeys.identity).toMatch(/^AGE-SECRET-KEY-1/);
    expect(printed.stdout).not.toContain(bobKeys.identity);
    expect(printed.stdout).not.toContain(bobKeys.signingKey.slice('TKV-ED25519-SECRET-'.length));
    const carlId = await identityOf(carl);

    await tkv(ana, ['team', 'add-member', 'bob', bobId.recipient, bobId.signingKey]);
    await tkv(ana, ['team', 'add-member', 'carl', carlId.recipient, carlId.signingKey]);
    const twice = await tkv(ana, ['team', 'add-member', 'bob', bobId.recipient, bobId.signingKey], { expect: 1 });
    expect(twice.stderr).toContain('bob is already a member of support.');
    const malformed = await tkv(ana, ['team', 'add-member', 'dave', 'age1nope', bobId.signingKey], { expect: 2 });
    expect(malformed.stderr).toContain('The first key is not an age recipient');

    // A key made on the server, shared with bob alone; carl sees its metadata only in the listing.
    await tkv(ana, ['remote', 'create', 'demo/crm', '--scopes', 'tenant.core:read,Pass.Read']);
    await tkv(ana, ['key', 'edit', 'demo/crm', '--owner', 'integrations', '--notes', 'CRM nightly sync']);
    tokens.push(await reveal(ana, 'demo/crm'));
    await tkv(ana, ['check', 'demo/crm']);
    const sharing = await tkv(ana, ['team', 'share', 'demo/crm', '--to', 'bob']);
    expect(sharing.stdout).toMatch(/^Shared demo\/crm with support: readable by ana, bob; version [0-9a-f]{20}, signed by you\.\nPush it: tkv team push\n$/);
    expect((await tkv(ana, ['team', 'share', 'demo/crm'])).stdout).toBe('demo/crm is already shared as it is: nothing to do.\n');
    const pushed = await tkv(ana, ['team', 'push']);
    expect(pushed.stdout).toBe(`Pushed 4 commits to ${remote}.\n`);
    history.firstShare = git(['rev-parse', 'HEAD'], ana.workDir).trim();

    // What the repository holds: the secret in an age file, the metadata signed, readers named.
    const state = await status(ana);
    const crm = shared(state, 'crm');
    expect(crm.heads).toHaveLength(1);
    history.firstCrm = `${crm.path}/${crm.heads[0]!.version}`;
    expect(crm.heads[0]).toMatchObject({ readers: ['ana', 'bob'], withSecret: true, author: 'ana', scopes: ['tenant.core:read', 'Pass.Read'], owner: 'integrations', notes: 'CRM nightly sync', lastJudgement: { verdict: 'valid', by: 'ana' }, remoteName: 'crm' });
    const ageFile = path.join(ana.workDir, crm.path, `${crm.heads[0]!.version}.age`);
    expect(fs.readFileSync(ageFile, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(state.members.map((member) => [member.name, member.addedBy, member.founder, member.you])).toEqual([
      ['ana', 'ana', true, true],
      ['bob', 'ana', false, false],
      ['carl', 'ana', false, false],
    ]);
    const commits = git(['log', '--format=%an: %s'], ana.workDir).trim().split('\n');
    expect(commits).toEqual(['ana: ana shared demo/crm with bob', 'ana: ana added member carl', 'ana: ana added member bob', 'ana: Team support founded by ana']);
  });

  it.skipIf(ageMissing)('writes age files that Debian’s age opens with a reader’s identity, and no other', async () => {
    const crm = shared(await status(ana), 'crm');
    const ageFile = path.join(ana.workDir, crm.path, `${crm.heads[0]!.version}.age`);
    const bobIdentity = path.join(root, 'bob.identity');
    fs.writeFileSync(bobIdentity, `${(await privateKeysOf(bob)).identity}\n`, { mode: 0o600 });
    const opened = spawnSync('age', ['--decrypt', '-i', bobIdentity, ageFile], { encoding: 'utf8' });
    expect(opened.status, opened.stderr).toBe(0);
    expect(opened.stdout).toBe(await reveal(ana, 'demo/crm'));
    const carlIdentity = path.join(root, 'carl.identity');
    fs.writeFileSync(carlIdentity, `${(await privateKeysOf(carl)).identity}\n`, { mode: 0o600 });
    const refused = spawnSync('age', ['--decrypt', '-i', carlIdentity, ageFile], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('no identity matched any of the recipients');
  });

  it('lets bob join from the remote: the founder pinned, the key he may read stored in his keychain, and checked valid', async () => {
    const joined = await tkv(bob, ['team', 'join', remote, '--into', bob.workDir]);
    const anaKey = (await identityOf(ana)).signingKey;
    expect(joined.stdout).toBe(
      [
        `Joined team support (${bob.workDir}).`,
        `Its founding member is ana, signing key ${anaKey}: compare it with theirs; every change is checked against it from now on.`,
        'You are member bob.',
        '',
        'Received demo/crm from ana: its secret is in your keychain.',
        '',
      ].join('\n'),
    );
    expect(await reveal(bob, 'demo/crm')).toBe(await reveal(ana, 'demo/crm'));
    const shown = json<{ scopes: string[]; owner: string; notes: string; remoteName: string }>(await tkv(bob, ['key', 'show', 'demo/crm', '--json']));
    expect(shown).toMatchObject({ scopes: ['tenant.core:read', 'Pass.Read'], owner: 'integrations', notes: 'CRM nightly sync', remoteName: 'crm' });
    // His vault made the tenant as ana's vault names it.
    expect(json<{ alias: string; baseUrl: string }[]>(await tkv(bob, ['tenant', 'list', '--json']))).toMatchObject([{ alias: 'demo', baseUrl: sandbox.url }]);
    await tkv(bob, ['check', 'demo/crm']);
    expect(shared(await status(bob), 'crm').state).toBe('in-step');

    // carl joins too: not a reader of crm, so it is listed for him and not stored.
    await tkv(carl, ['team', 'join', remote, '--into', carl.workDir]);
    const carlState = await status(carl);
    expect(shared(carlState, 'crm')).toMatchObject({ state: 'not-held', canRead: false, local: null });
    expect(json<unknown[]>(await tkv(carl, ['key', 'list', '--json']))).toEqual([]);
  });

  it('hands a key the other way: bob shares his own with ana, who pulls it', async () => {
    const token = await serverKey('billing', ['Pass.Read']);
    await tkv(bob, ['key', 'add', 'demo/billing', '--scopes', 'Pass.Read', '--owner', 'bob'], { stdin: token });
    await tkv(bob, ['team', 'share', 'demo/billing', '--to', 'ana']);
    await tkv(bob, ['team', 'push']);
    const pulled = await tkv(ana, ['team', 'pull']);
    expect(pulled.stdout).toMatch(/^1 new commit:\n {2}[0-9a-f]{7,} bob: bob shared demo\/billing with ana\nReceived demo\/billing from bob: its secret is in your keychain\.\n$/);
    expect(await reveal(ana, 'demo/billing')).toBe(token);
    // Nothing more to bring: a pull says so.
    expect((await tkv(ana, ['team', 'pull'])).stdout).toBe('No new commits on the remote.\nYour vault is in step with the team.\n');
  });

  it('carries a rotation: ana rotates and shares again; bob’s pull checks the new secret, then replaces his', async () => {
    const before = await reveal(bob, 'demo/crm');
    const started = await tkv(ana, ['rotate', 'demo/crm', '--new-name', 'crm-2', '--yes']);
    // The rotation says that the team still has the previous key, and how to hand the new one over.
    expect(started.stderr).toContain('tkv: notice: demo/crm is shared with team support, and the team still has its previous key: tkv team share demo/crm, then tkv team push, and its readers receive the new one.');
    await tkv(ana, ['rotate', 'demo/crm', '--finish', '--retire', 'delete', '--yes']);
    const rotated = await reveal(ana, 'demo/crm');
    tokens.push(rotated);
    expect(shared(await status(ana), 'crm').state).toBe('changed-here');
    await tkv(ana, ['team', 'share', 'demo/crm']);
    await tkv(ana, ['team', 'push']);
    const pulled = json<PullReport>(await tkv(bob, ['team', 'pull', '--json']));
    expect(pulled.replaced).toEqual([{ key: { tenant: 'demo', name: 'crm' }, from: 'ana', verdict: 'valid', oldDropped: true }]);
    expect(await reveal(bob, 'demo/crm')).toBe(rotated);
    expect(rotated).not.toBe(before);
    expect(json<{ remoteName: string }>(await tkv(bob, ['key', 'show', 'demo/crm', '--json'])).remoteName).toBe('crm-2');
    const audit = (await tkv(bob, ['audit', '--json'])).stdout;
    expect(audit).toContain('"action": "replaced"');
    expect(audit).toContain('"from": "ana"');
  });

  it('keeps a rotated secret that fails its check: the old one stays until the new one works', async () => {
    // ana's vault holds a broken secret for billing (one the server never issued) and shares it.
    const bogus = `${'Z'.repeat(60)}0000`;
    tokens.push(bogus);
    await tkv(ana, ['key', 'remove', 'demo/billing', '--yes']);
    await tkv(ana, ['key', 'add', 'demo/billing', '--scopes', 'Pass.Read', '--owner', 'bob'], { stdin: bogus });
    // ana's entry is new to the team (never received): the team's version was bob's, so she chooses hers.
    await tkv(ana, ['team', 'pull']);
    const conflict = await tkv(ana, ['team', 'share', 'demo/billing'], { expect: 1 });
    expect(conflict.stderr).toContain('The team holds another version of demo/billing');
    await tkv(ana, ['team', 'resolve', 'demo/billing', '--mine']);
    await tkv(ana, ['team', 'push']);
    const pulled = json<PullReport>(await tkv(bob, ['team', 'pull', '--json']));
    expect(pulled.replaced).toEqual([]);
    expect(pulled.notReplaced).toEqual([{ key: { tenant: 'demo', name: 'billing' }, from: 'ana', reason: expect.stringContaining('The new key did not pass the') }]);
    expect(pulled.notReplaced[0]!.reason).toContain('demo/billing keeps the key it had.');
    expect(await reveal(bob, 'demo/billing')).not.toBe(bogus);
    // bob settles it with his working key, and ana receives it back, checked.
    await tkv(bob, ['team', 'resolve', 'demo/billing', '--mine']);
    await tkv(bob, ['team', 'push']);
    const back = json<PullReport>(await tkv(ana, ['team', 'pull', '--json']));
    expect(back.replaced).toEqual([{ key: { tenant: 'demo', name: 'billing' }, from: 'bob', verdict: 'valid', oldDropped: true }]);
    expect(await reveal(ana, 'demo/billing')).toBe(await reveal(bob, 'demo/billing'));
  });

  it('keeps both of two concurrent changes to one key, and lets a person choose', async () => {
    await tkv(ana, ['key', 'edit', 'demo/crm', '--notes', 'CRM sync, nightly at 02:00']);
    await tkv(ana, ['team', 'share', 'demo/crm']);
    await tkv(bob, ['key', 'edit', 'demo/crm', '--owner', 'crm-team']);
    await tkv(bob, ['team', 'share', 'demo/crm']);
    await tkv(ana, ['team', 'push']);
    const rejected = await tkv(bob, ['team', 'push'], { expect: 1 });
    expect(rejected.stderr).toContain('The remote has changes this working copy has not pulled: pull first');
    const pulled = await tkv(bob, ['team', 'pull']);
    expect(pulled.stdout).toContain('Conflict on demo/crm: changed by ana and bob. Both are kept; tkv team status lists the versions, tkv team resolve demo/crm --take VERSION (or --mine) keeps one.');
    const crm = shared(await status(bob), 'crm');
    expect(crm.state).toBe('conflict');
    expect(crm.heads.map((head) => [head.author, head.notes, head.owner])).toEqual(
      expect.arrayContaining([
        ['ana', 'CRM sync, nightly at 02:00', 'integrations'],
        ['bob', 'CRM nightly sync', 'crm-team'],
      ]),
    );
    expect((await tkv(bob, ['team', 'status'])).stdout).toMatch(/demo\/crm \[1\/2 [0-9a-f]{20}\]/);
    // Sharing over a conflict is refused: a choice comes first.
    expect((await tkv(bob, ['team', 'share', 'demo/crm'], { expect: 1 })).stderr).toContain('has 2 versions in the team (by ');
    const anas = crm.heads.find((head) => head.author === 'ana')!;
    await tkv(bob, ['team', 'resolve', 'demo/crm', '--take', anas.version]);
    expect(json<{ notes: string; owner: string }>(await tkv(bob, ['key', 'show', 'demo/crm', '--json']))).toMatchObject({ notes: 'CRM sync, nightly at 02:00', owner: 'integrations' });
    await tkv(bob, ['team', 'push']);
    await tkv(ana, ['team', 'pull']);
    expect(shared(await status(ana), 'crm')).toMatchObject({ state: 'in-step', heads: [{ author: 'bob', reason: "ana's version chosen" }] });
  });

  it('removes a member: what they could read is encrypted again without them, and listed to rotate', async () => {
    await tkv(ana, ['team', 'share', 'demo/crm', '--to-all']);
    await tkv(ana, ['team', 'push']);
    await tkv(carl, ['team', 'pull']);
    await tkv(bob, ['team', 'pull']);
    expect(await reveal(carl, 'demo/crm')).toBe(await reveal(ana, 'demo/crm'));

    history.beforeRemoval = git(['rev-parse', 'HEAD'], ana.workDir).trim();
    const refusedSelf = await tkv(ana, ['team', 'remove-member', 'ana', '--yes'], { expect: 1 });
    expect(refusedSelf.stderr).toContain('ana founded support');
    const removed = await tkv(ana, ['team', 'remove-member', 'carl', '--yes']);
    expect(removed.stdout).toBe(
      [
        'Removed carl from support.',
        'Encrypted again without them: 1 secret.',
        '',
        'carl could read these secrets and may have kept copies: rotate each.',
        '  seen by carl: demo/crm  → tkv rotate demo/crm',
        '',
        'Push it: tkv team push',
        '',
      ].join('\n'),
    );
    await tkv(ana, ['team', 'push']);
    const crm = shared(await status(ana), 'crm');
    expect(crm.heads[0]!.readers).toEqual(['ana', 'bob']);
    expect((await status(ana)).members.find((member) => member.name === 'carl')).toMatchObject({ removedBy: 'ana' });
    if (!ageMissing) {
      const file = path.join(ana.workDir, crm.path, `${crm.heads[0]!.version}.age`);
      const carlIdentity = path.join(root, 'carl.identity');
      fs.writeFileSync(carlIdentity, `${(await privateKeysOf(carl)).identity}\n`, { mode: 0o600 });
      expect(spawnSync('age', ['--decrypt', '-i', carlIdentity, file]).status).not.toBe(0);
    }
    // bob's pull says who went, and changes nothing of his (same secret, re-encrypted).
    const pulled = json<PullReport>(await tkv(bob, ['team', 'pull', '--json']));
    expect(pulled.membersRemoved).toEqual(['carl']);
    expect(pulled.refused).toEqual([]);
    // carl can no longer sign anything the others accept.
    const carlChange = await tkv(carl, ['team', 'pull']);
    expect(carlChange.stdout).toContain('Member removed: carl');
    const notMember = await tkv(carl, ['team', 'share', 'demo/crm', '--to-all'], { expect: 1 });
    // The day of the removal is today's, whenever the suite runs.
    expect(notMember.stderr).toMatch(/This vault’s member carl was removed from support by ana on \d{4}-\d{2}-\d{2}: it can no longer change the team\./);
  });

  it('reviews the team’s whole inventory: every shared key, whose vaults may hold it, and what to look at', async () => {
    // bob's own review flags his never-checked keys (exit 20); the team's section follows it.
    const review = await tkv(bob, ['review', '--team'], { expect: 20 });
    const section = review.stdout.slice(review.stdout.indexOf('Team support:')).trimEnd().split('\n');
    expect(section).toHaveLength(4);
    expect(section[0]).toBe('Team support: 2 shared keys, 2 members (ana, bob); from the signed metadata alone.');
    expect(section[1]).toMatch(/^KEY {11}FINGERPRINT {3}OWNER {9}EXPIRES {2}HELD BY {3}HERE {10}TO LOOK AT$/);
    // The rotation switched crm to a key no stored check has judged yet: said, not hidden.
    expect(section[2]).toMatch(/^demo\/billing {2}[0-9a-f]{12} {2}bob {11}- {8}bob, ana {2}demo\/billing {2}never judged by the vault that shared it$/);
    // Carl, removed, could read crm's secret: until it is rotated, the review says so to everyone.
    expect(section[3]).toMatch(/^demo\/crm {6}[0-9a-f]{12} {2}integrations {2}- {8}ana, bob {2}demo\/crm {6}never judged by the vault that shared it; carl could read it before leaving the team: rotate it$/);
    const json = JSON.parse((await tkv(carl, ['review', '--team', '--json'], { expect: 20 })).stdout) as { team: { rows: { name: string; holders: string[]; heldHere: unknown; notes: string[] }[] } };
    // carl, removed, still reads the metadata: crm is held in his vault, and he may hold it no longer.
    expect(json.team.rows.find((row) => row.name === 'crm')).toMatchObject({ holders: ['ana', 'bob'], heldHere: { tenant: 'demo', name: 'crm' } });
    // A vault in no team (its own data directory and keychain service) is told how to be in one.
    const outside = await runTkv(['review', '--team'], { env: { ...carl.env, TKV_DATA_DIR: path.join(root, 'nobody'), TKV_KEYCHAIN_SERVICE: uniqueService('team-nobody') }, timeoutMs: 60_000 });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--team reviews the team’s inventory, and this vault is in no team');
  });

  it('refuses a tampered secret file, a tampered metadata file and a forged member, by file and commit, and applies the rest', async () => {
    // A legitimate change travels in the same pull: ana shares a new key with bob.
    const token = await serverKey('reports', ['Pass.Read']);
    await tkv(ana, ['key', 'add', 'demo/reports', '--scopes', 'Pass.Read'], { stdin: token });
    await tkv(ana, ['team', 'share', 'demo/reports', '--to', 'bob']);
    await tkv(ana, ['team', 'push']);

    const dir = attackerClone('tamper');
    const crm = shared(await status(ana), 'crm');
    const crmFile = `${crm.path}/${crm.heads[0]!.version}`;
    const billing = shared(await status(ana), 'billing');
    const billingFile = `${billing.path}/${billing.heads[0]!.version}`;
    // 1. The secret file replaced by another secret encrypted to bob (Debian's age, or tkv's own writer when it is missing).
    const bobId = await identityOf(bob);
    const forgedSecret = `${'F'.repeat(60)}0001`;
    tokens.push(forgedSecret);
    const encrypted = ageMissing ? null : spawnSync('age', ['--encrypt', '--armor', '-r', bobId.recipient], { input: forgedSecret });
    fs.writeFileSync(path.join(dir, `${crmFile}.age`), encrypted ? encrypted.stdout : 'not an age file\n');
    // 2. A metadata file edited without its author's key.
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${billingFile}.json`), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, `${billingFile}.json`), `${JSON.stringify({ ...meta, owner: 'mallory' }, null, 2)}\n`);
    git(['commit', '--quiet', '-am', 'routine maintenance'], dir);
    const tamperCommit = git(['rev-parse', '--short', 'HEAD'], dir).trim();
    // 3. A member who signs themselves in, and a key version they sign.
    const mallory = { recipient: 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj', privateKey: 'TKV-ED25519-SECRET-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', publicKey: 'ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=' };
    const record = { format: 'tkv-team-member/1', name: 'mallory', recipient: mallory.recipient, signingKey: mallory.publicKey, addedBy: 'ana', addedAt: '2026-12-01T00:00:00.000Z', removedBy: null, removedAt: null, signedBy: 'ana' };
    fs.writeFileSync(path.join(dir, 'members', 'mallory.json'), `${JSON.stringify({ ...record, signature: sign(canonicalJsonBytes(record), mallory.privateKey) }, null, 2)}\n`);
    git(['add', '--all'], dir);
    git(['commit', '--quiet', '-m', 'add mallory'], dir);
    const memberCommit = git(['rev-parse', '--short', 'HEAD'], dir).trim();
    git(['push', '--quiet', 'origin', 'main'], dir);

    const before = await reveal(bob, 'demo/crm');
    const pulled = await tkv(bob, ['team', 'pull', '--json'], { expect: 3 });
    const report = json<PullReport>(pulled);
    expect(report.received).toEqual([{ key: { tenant: 'demo', name: 'reports' }, from: 'ana' }]);
    expect(report.refused).toEqual(
      expect.arrayContaining([
        { file: `${crmFile}.age`, reason: `its content is not the one ${crmFile}.json was signed with: it was changed after sharing`, commit: tamperCommit, author: 'mallory' },
        { file: `${billingFile}.json`, reason: "its signature is not bob's over this content: it was changed after signing, or forged", commit: tamperCommit, author: 'mallory' },
        { file: 'members/mallory.json', reason: "its signature is not ana's over this content: it was changed after signing, or forged", commit: memberCommit, author: 'mallory' },
      ]),
    );
    expect(report.refused).toHaveLength(3);
    expect(await reveal(bob, 'demo/crm')).toBe(before);
    expect(json<{ owner: string }>(await tkv(bob, ['key', 'show', 'demo/billing', '--json'])).owner).toBe('bob');
    const human = await tkv(bob, ['team', 'status'], {});
    expect(human.stdout).toContain(`Refused (3): not trusted, not applied\n`);
    expect(human.stdout).toContain(`  members/mallory.json (commit ${memberCommit}, git author mallory): its signature is not ana's over this content: it was changed after signing, or forged`);
    expect(human.stdout).toContain('They stay refused until a member deletes them from the repository (git rm, commit, push) or shares the key again.');
    expect((await status(bob)).members.map((member) => member.name)).not.toContain('mallory');
  });

  it('refuses files put back from git’s history: a removed member’s old record, a version replaced since', async () => {
    const dir = attackerClone('replay');
    // Carl's record from before his removal (signed by Ana, not removed), and crm's first version (its old secret).
    git(['checkout', history.beforeRemoval, '--', 'members/carl.json'], dir);
    git(['checkout', history.firstShare, '--', `${history.firstCrm}.json`, `${history.firstCrm}.age`], dir);
    git(['commit', '--quiet', '-m', 'restore'], dir);
    const restored = git(['rev-parse', '--short', 'HEAD'], dir).trim();
    git(['push', '--quiet', 'origin', 'main'], dir);
    const before = await reveal(bob, 'demo/crm');
    const report = json<PullReport>(await tkv(bob, ['team', 'pull', '--json'], { expect: 3 }));
    expect(report.refused).toEqual(
      expect.arrayContaining([
        { file: 'members/carl.json', reason: "it makes carl a member again under keys this vault saw removed: an old record put back from git's history (a member comes back only with new keys)", commit: restored, author: 'mallory' },
        { file: `${history.firstCrm}.json`, reason: 'a version this vault saw replaced, put back from git’s history: an older key or metadata is not the current one again', commit: restored, author: 'mallory' },
      ]),
    );
    expect(report.membersAdded).toEqual([]);
    expect(report.replaced).toEqual([]);
    expect(await reveal(bob, 'demo/crm')).toBe(before);
    // Carl's record is refused: he is no member (nor listed as removed, the file that said so being gone).
    expect((await status(bob)).members.some((member) => member.name === 'carl' && member.removedBy === null)).toBe(false);
    // A member cannot add the removed keys back either.
    const carlId = await identityOf(carl);
    const again = await tkv(ana, ['team', 'add-member', 'carl2', carlId.recipient, carlId.signingKey], { expect: 1 });
    expect(again.stderr).toContain('These keys were those of a member who was removed: every vault refuses them now.');
  });

  it.skipIf(ageMissing)('reads a secret that Debian’s age encrypted, under metadata its member signed', async () => {
    // As another implementation would write it: the secret by `age -r`, the metadata signed with ana's key.
    const dir = attackerClone('interop');
    const token = await serverKey('from-age', ['Pass.Read']);
    const bobId = await identityOf(bob);
    const anaKeys = await privateKeysOf(ana);
    const anaId = await identityOf(ana);
    const encrypted = spawnSync('age', ['--encrypt', '--armor', '-r', bobId.recipient, '-r', anaId.recipient], { input: token });
    expect(encrypted.status).toBe(0);
    const version = 'a1b2c3d4e5f6a7b8c9d0';
    const folder = `keys/demo/custom-${sha256Hex(sandbox.url).slice(0, 8)}/from-age`;
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(path.join(dir, folder, `${version}.age`), encrypted.stdout);
    const { fingerprint } = await import('../../../src-main/core/keys/fingerprint.ts');
    const body = {
      format: 'tkv-team-key/1',
      version,
      tenant: { alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url, provider: 'wallet-crew', clientId: null, loginAs: null },
      name: 'from-age',
      remoteName: 'from-age',
      fingerprint: fingerprint(token),
      scopes: ['Pass.Read'],
      expiresOn: null,
      owner: null,
      notes: null,
      lastJudgement: null,
      readers: ['ana', 'bob'],
      formerReaders: [],
      secretSha256: sha256Hex(encrypted.stdout),
      parents: [],
      author: 'ana',
      at: '2026-12-07T10:00:00.000Z',
      reason: 'shared',
    };
    fs.writeFileSync(path.join(dir, folder, `${version}.json`), `${JSON.stringify({ ...body, signature: sign(canonicalJsonBytes(body), anaKeys.signingKey) }, null, 2)}\n`);
    // And a member's version whose secret is not the key its signed metadata names.
    const other = await serverKey('lying', ['Pass.Read']);
    const lyingFolder = folder.replace(/from-age$/, 'lying');
    const lying = spawnSync('age', ['--encrypt', '--armor', '-r', bobId.recipient], { input: other });
    const lyingVersion = 'b1b2c3d4e5f6a7b8c9d0';
    fs.mkdirSync(path.join(dir, lyingFolder), { recursive: true });
    fs.writeFileSync(path.join(dir, lyingFolder, `${lyingVersion}.age`), lying.stdout);
    const lyingBody = { ...body, version: lyingVersion, name: 'lying', remoteName: 'lying', secretSha256: sha256Hex(lying.stdout) };
    fs.writeFileSync(path.join(dir, lyingFolder, `${lyingVersion}.json`), `${JSON.stringify({ ...lyingBody, signature: sign(canonicalJsonBytes(lyingBody), anaKeys.signingKey) }, null, 2)}\n`);
    git(['add', '--all'], dir);
    git(['commit', '--quiet', '-m', 'shared by another implementation'], dir);
    git(['pull', '--quiet', '--no-rebase', 'origin', 'main'], dir);
    git(['push', '--quiet', 'origin', 'HEAD:main'], dir);
    const report = json<PullReport>(await tkv(bob, ['team', 'pull', '--json'], { expect: 3 }));
    expect(report.received).toEqual([{ key: { tenant: 'demo', name: 'from-age' }, from: 'ana' }]);
    expect(await reveal(bob, 'demo/from-age')).toBe(token);
    expect(report.refused).toContainEqual({ file: `${lyingFolder}/${lyingVersion}.age`, reason: `the secret in it is not the key its signed metadata names (fingerprint ${fingerprint(token)})`, commit: expect.any(String), author: 'mallory' });
    expect(json<unknown[]>(await tkv(bob, ['key', 'list', '--json'])).length).toBe(4);
  });

  it('tells a vault that joined before a member added it what to do, and lets it leave', async () => {
    // Files refused while joining are named, and the exit code says so (3), as a pull's does.
    const joined = await tkv(dave, ['team', 'join', remote, '--into', dave.workDir], { expect: 3 });
    expect(joined.stdout).toMatch(/\nRefused \(\d\): not trusted, not applied\n\s{2}members\/carl\.json \(commit [0-9a-f]+, git author mallory\): /);
    const daveId = await identityOf(dave);
    expect(joined.stdout).toContain(`This vault is not a member yet. Send a member these two lines (tkv team identity); once they add you and push, run tkv team pull.\n  ${daveId.recipient}\n  ${daveId.signingKey}\n`);
    expect(json<unknown[]>(await tkv(dave, ['key', 'list', '--json']))).toEqual([]);
    // Carl's old record, put back before dave joined: his removal is in git's history, so dave refuses it too.
    const daveView = await status(dave);
    expect(daveView.members.some((member) => member.name === 'carl' && member.removedBy === null)).toBe(false);
    expect(daveView.refused.map((item) => item.file)).toContain('members/carl.json');
    // The files refused earlier are refused here too (exit 3); the vault is told it is no member yet.
    const pulled = await tkv(dave, ['team', 'pull'], { expect: 3 });
    expect(pulled.stdout).toMatch(/^No new commits on the remote\.\nRefused \(\d\): not trusted, not applied\n/);
    expect(pulled.stdout.endsWith('This vault is not a member of the team yet: nothing is shared with it. Send its two public keys (tkv team identity) to a member; once they add you and push, pull again.\n')).toBe(true);
    const left = await tkv(dave, ['team', 'leave', '--yes']);
    expect(left.stdout).toBe(`This vault left team support. Its working copy stays in ${dave.workDir} (delete it when you no longer need it); the keys it received stay in this vault.\n`);
    expect((await tkv(dave, ['team', 'status'])).stdout).toMatch(/^This vault is in no team\./);
    expect(fs.existsSync(path.join(dave.workDir, 'team.json'))).toBe(true);
  });

  it('brings a removed member back under a new identity, made once their vault has left the team', async () => {
    const old = await identityOf(carl);
    const oldPrivate = await privateKeysOf(carl);
    // In the team, the vault keeps its identity: what was shared with it is encrypted to it.
    const inTeam = await tkv(carl, ['team', 'identity', '--new', '--yes'], { expect: 1 });
    expect(inTeam.stderr).toBe(
      [
        'tkv: This vault is in team support, and what was shared with it is encrypted to its identity: leave the team first (its working copy and the keys it received stay), then make a new identity.',
        '  - Leave the team: this vault stops pulling from it; its working copy and the keys it received stay.',
        '      tkv team leave',
        '',
      ].join('\n'),
    );
    expect(await identityOf(carl)).toEqual(old);
    // The removed member is told how to come back, and a member adding the old keys how to get new ones.
    const NEW_IDENTITY = '  - Make a new team identity once the vault is in no team, send its two public keys to a member, and once they have added you, join again: the old keys stay refused.\n      tkv team identity --new\n';
    expect((await tkv(carl, ['team', 'share', 'demo/crm', '--to-all'], { expect: 1 })).stderr).toContain(`To come back, leave the team, make a new identity, and send its two public keys to a member.\n  - Leave the team: this vault stops pulling from it; its working copy and the keys it received stay.\n      tkv team leave\n${NEW_IDENTITY}`);
    expect((await tkv(ana, ['team', 'add-member', 'carl', old.recipient, old.signingKey], { expect: 1 })).stderr).toBe(
      'tkv: These keys were those of a member who was removed: every vault refuses them now. The person comes back with a new identity: ask them to leave the team in their vault, make a new identity there and send you its two public keys.\n',
    );

    await tkv(carl, ['team', 'leave', '--yes']);
    // Without a terminal to ask on, nothing is replaced without --yes.
    const unasked = await tkv(carl, ['team', 'identity', '--new'], { expect: 2 });
    expect(unasked.stderr).toContain('Nothing was changed: there is no terminal to ask on; pass --yes to confirm.');
    expect(await identityOf(carl)).toEqual(old);
    // --yes alone answers a question nobody asked: a usage error, not a silent success.
    const yesAlone = await tkv(carl, ['team', 'identity', '--yes'], { expect: 2 });
    expect(yesAlone.stderr).toContain('--yes goes with --new (it answers its question)');
    expect(await identityOf(carl)).toEqual(old);
    const renewed = await tkv(carl, ['team', 'identity', '--new', '--yes', '--as', 'carl']);
    const fresh = await identityOf(carl);
    expect(fresh.recipient).not.toBe(old.recipient);
    expect(fresh.signingKey).not.toBe(old.signingKey);
    expect(renewed.stdout).toBe(
      `This vault has a new team identity; the old one is gone from the keychain.\n\n${fresh.recipient}\n${fresh.signingKey}\n\nA member adds this vault to their team with:\n  tkv team add-member carl ${fresh.recipient} ${fresh.signingKey}\n\nOnce they have, and pushed, this vault joins again: tkv team join DIR (the working copy it kept) or tkv team join GIT-URL --into NEW-DIR.\n`,
    );
    const freshPrivate = await privateKeysOf(carl);
    expect(freshPrivate.identity).not.toBe(oldPrivate.identity);
    expect(freshPrivate.signingKey).not.toBe(oldPrivate.signingKey);
    // The old private halves are searched for in every byte the run wrote, with the rest.
    tokens.push(oldPrivate.identity, oldPrivate.signingKey);
    const audit = json<{ action: string; detail: { before: string; after: string } }[]>(await tkv(carl, ['audit', '--action', 'team_identity_replaced', '--json']));
    expect(audit.map((entry) => entry.detail)).toEqual([{ before: old.signingKey, after: fresh.signingKey }]);

    // Added again under the new keys, carl is a member once more: his vault joins and can act. (Ana
    // pulls first: the remote has the replayed files of the tests above, which her pull refuses.)
    await tkv(ana, ['team', 'pull'], { expect: 3 });
    await tkv(ana, ['team', 'add-member', 'carl', fresh.recipient, fresh.signingKey]);
    await tkv(ana, ['team', 'push']);
    // As the new identity's output says: the working copy the vault kept, then a pull brings it up to date.
    const rejoined = await tkv(carl, ['team', 'join', carl.workDir]);
    expect(rejoined.stdout).toContain('This vault is not a member yet.');
    expect((await tkv(carl, ['team', 'pull'], { expect: 3 })).stdout).toContain('You were added to the team, as carl.');
    expect((await status(carl)).team?.you).toBe('carl');
    expect((await status(ana)).members.find((member) => member.name === 'carl')).toMatchObject({ removedBy: null, recipient: fresh.recipient });
  });

  it('says when git is missing, in the doctor and on a team command', async () => {
    const noGit = { ...bob.env, PATH: path.dirname(process.execPath) };
    const doctor = await runTkv(['doctor', '--json'], { env: noGit, timeoutMs: 60_000 });
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string; fix: string | null }[] }).checks;
    expect(checks.find((check) => check.name === 'git')).toMatchObject({ ok: false, detail: 'git is not installed (or not on PATH), and this vault is in a team', fix: expect.stringContaining('Install git') });
    const pull = await runTkv(['team', 'pull'], { env: noGit, timeoutMs: 60_000 });
    expect(pull.code).toBe(1);
    expect(pull.stderr).toContain('git is not installed (or not on PATH): the team repository is carried by git. Install git, then try again.');
    const withGit = JSON.parse((await tkv(bob, ['doctor', '--json'])).stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(withGit.checks.find((check) => check.name === 'git')).toMatchObject({ ok: true, detail: expect.stringMatching(/^git version /) });
  });

  it('never lets a secret or a private key reach a file, git’s objects or an output', async () => {
    const privateKeys = (await Promise.all([ana, bob, carl, dave].map(privateKeysOf))).flatMap((keys) => [keys.identity, keys.signingKey]);
    const dirs = [ana, bob, carl, dave].flatMap((who) => [who.dataDir, who.workDir]);
    for (const secret of [...tokens, ...privateKeys]) {
      expect(filesContaining([...dirs, remote], secret)).toEqual([]);
      for (const output of outputs) expect(containsSecret(output, secret)).toBe(false);
    }
    // Git stores objects compressed: every object of every repository, decompressed, searched too.
    for (const repo of [remote, ana.workDir, bob.workDir, carl.workDir]) {
      const objects = spawnSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: repo, maxBuffer: 256 * 1024 * 1024 }).stdout;
      expect(objects.length).toBeGreaterThan(1000);
      for (const secret of [...tokens, ...privateKeys]) expect(containsSecret(objects, secret)).toBe(false);
    }
  });
});
