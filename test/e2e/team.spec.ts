// The Team screen in the real renderer: this vault (ana's) founds a team from the screen, adds bob
// (a second vault, in this process, on a keychain service of its own) with the keys his identity
// shows, shares a key with him from the key's detail, and pushes to a bare repository; bob joins
// and receives it. Then what a person settles here: two concurrent changes to one key (both kept,
// one chosen), a forged file refused by name, and a member removed (the keys they saw, to rotate).
// Every step from the keyboard where a person would; every state looked at in both themes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createServices, type Services } from '../../src-main/core/services.ts';
import { TEAM_IDENTITY_ACCOUNT, TEAM_SIGNING_ACCOUNT } from '../../src-main/core/team/team-identity.ts';
import { containsSecret, filesContaining, scratchDir } from '../support/files.ts';
import { clearService, uniqueService } from '../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing } from './support/look.ts';

// Each test carries on from the one before (one team, one history).
test.describe.configure({ mode: 'serial' });

let harness: Harness;
let sandbox: TestSandbox;
let bob: Services;
let carl: Services;
// Made in beforeAll, in the worker: the runner imports this file too, to list its tests.
let root: string;
let remote: string;
const services = [uniqueService('e2e-team-bob'), uniqueService('e2e-team-carl')];
const tokens: string[] = [];

function git(args: string[], cwd: string): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'mallory', GIT_AUTHOR_EMAIL: 'm@example.invalid', GIT_COMMITTER_NAME: 'mallory', GIT_COMMITTER_EMAIL: 'm@example.invalid' } });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function serverKey(name: string, permissions: string[]): Promise<string> {
  const token = await sandbox.createKey('demo', { name, permissions });
  tokens.push(token);
  return token;
}

async function open(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
}

async function teamScreen(page: Page): Promise<void> {
  await page.keyboard.press('Alt+8');
  await expect(page.getByRole('heading', { level: 1, name: /^Team/ })).toBeVisible();
}

test.beforeAll(async () => {
  root = scratchDir('e2e-team');
  remote = path.join(root, 'remote.git');
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  git(['init', '--quiet', '--bare', remote], root);
  harness = await startHarness({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  harness.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  const crm = await serverKey('crm-sync', ['tenant.core:read', 'Pass.Read']);
  await harness.services.keys.add({ tenant: 'demo', name: 'crm-sync', secret: crm, scopes: ['tenant.core:read', 'Pass.Read'], remoteName: 'crm-sync', owner: 'CRM team', notes: 'Nightly export of passes to the CRM' });
  const reports = await serverKey('reports', ['Pass.Read']);
  await harness.services.keys.add({ tenant: 'demo', name: 'reports', secret: reports, scopes: ['Pass.Read'], remoteName: 'reports' });
  const [bobService, carlService] = services as [string, string];
  bob = createServices({ actor: 'cli', env: { TKV_DATA_DIR: path.join(root, 'bob'), TKV_KEYCHAIN_SERVICE: bobService, PATH: process.env.PATH } });
  carl = createServices({ actor: 'cli', env: { TKV_DATA_DIR: path.join(root, 'carl'), TKV_KEYCHAIN_SERVICE: carlService, PATH: process.env.PATH } });
});

test.afterAll(async () => {
  for (const token of tokens) {
    expect(filesContaining([harness.dataDir, root], token), 'a token in a file').toEqual([]);
    expect(harness.received.some((payload) => containsSecret(payload, token)), 'a token in what the page received').toBe(false);
  }
  for (const account of await harness.services.secrets.listAccounts()) await harness.services.secrets.delete(account);
  await harness.close();
  await bob.close();
  await carl.close();
  for (const service of services) await clearService(service);
  await sandbox.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

test('founds a team from the Team screen, adds a member with the keys his identity shows, and shares a key with him', async ({ page }) => {
  await open(page);
  await teamScreen(page);
  await expect(page.getByRole('heading', { name: 'Found a team' })).toBeVisible();
  await page.getByRole('button', { name: 'Create my identity' }).click();
  const recipient = page.getByLabel('Age recipient (secrets are encrypted to it)');
  await expect(recipient).toHaveValue(/^age1[0-9a-z]{58}$/);
  await expect(page.getByLabel(/^Signing key/)).toHaveValue(/^ed25519:[A-Za-z0-9+/]{43}=$/);
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'team-none');

  // Founded from the keyboard: each field in turn, then Enter.
  await page.getByLabel('Folder for its working copy (new or empty)').fill(path.join(root, 'ana-team'));
  await page.keyboard.press('Tab');
  await page.keyboard.type('support');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ana');
  await page.keyboard.press('Tab');
  await page.keyboard.type(remote);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Team support' })).toBeVisible();
  await expect(page.getByText('Nothing is shared yet.', { exact: false })).toBeVisible();

  // bob's identity, added with the form; his vault joins once it is pushed.
  const bobId = await bob.team.identity();
  const carlId = await carl.team.identity();
  const add = page.getByRole('region', { name: 'Add a member' });
  for (const [name, id] of [['bob', bobId], ['carl-with-a-rather-long-member-name', carlId]] as const) {
    await add.getByLabel('Their member name').fill(name);
    await add.getByLabel('Their age recipient').fill(id.recipient);
    await add.getByLabel('Their signing key').fill(id.signingKey);
    await add.getByRole('button', { name: 'Add, signed by you' }).click();
    await expect(page.getByRole('table', { name: "The team's members" }).getByRole('row', { name: new RegExp(`^${name} ana`) })).toBeVisible();
  }

  // The key's detail: Share… — to bob alone, pushed at once.
  await page.keyboard.press('Alt+1');
  await page.getByRole('button', { name: 'Show demo/crm-sync' }).click();
  await page.getByTestId('key-panel').getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share demo/crm-sync with the team' });
  await expect(dialog.getByRole('checkbox', { name: 'bob' })).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'bob' }).check();
  await expect(dialog.getByRole('checkbox', { name: 'Push to the team’s remote now' })).toBeChecked();
  await look(page, 'share-key-dialog');
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Shared demo/crm-sync with support' })).toHaveText(/its secret encrypted to the readers chosen\. Pushed \d+ commits to the team’s remote\./);

  // bob joins from the remote and receives it.
  const joined = await bob.team.join(remote, { into: path.join(root, 'bob-team') });
  expect(joined.received).toEqual([{ key: { tenant: 'demo', name: 'crm-sync' }, from: 'ana' }]);
  await carl.team.join(remote, { into: path.join(root, 'carl-team') });
  expect(await bob.keys.reveal({ tenant: 'demo', name: 'crm-sync' })).toBe(await harness.services.keys.reveal({ tenant: 'demo', name: 'crm-sync' }));

  await teamScreen(page);
  const shared = page.getByRole('table', { name: /^Every key the team shares/ });
  await expect(shared.getByRole('row', { name: /demo\/crm-sync/ })).toContainText('ana, bob');
  await expect(shared.getByRole('row', { name: /demo\/crm-sync/ })).toContainText('In step');
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'team');
});

test('two concurrent changes to one key are both kept, and one is chosen; a forged file is refused by name', async ({ page }) => {
  // ana notes the key here; bob changes its owner in his vault; both share; bob pushes first.
  await harness.services.keys.edit({ tenant: 'demo', name: 'crm-sync' }, { notes: 'Nightly export of passes, 02:00 UTC' });
  await harness.services.team.share({ key: { tenant: 'demo', name: 'crm-sync' } });
  await bob.keys.edit({ tenant: 'demo', name: 'crm-sync' }, { owner: 'Integrations' });
  await bob.team.share({ key: { tenant: 'demo', name: 'crm-sync' } });
  await bob.team.push();
  // And someone with push access slips in a member nobody signed.
  const forger = path.join(root, 'forger');
  git(['clone', '--quiet', '--branch', 'main', remote, forger], root);
  const record = JSON.parse(fs.readFileSync(path.join(forger, 'members', 'bob.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(forger, 'members', 'mallory.json'), `${JSON.stringify({ ...record, name: 'mallory' }, null, 2)}\n`);
  git(['add', '--all'], forger);
  git(['commit', '--quiet', '-m', 'add a member'], forger);
  const forged = git(['rev-parse', '--short', 'HEAD'], forger).trim();
  git(['push', '--quiet', 'origin', 'main'], forger);

  await open(page);
  await teamScreen(page);
  await page.getByRole('button', { name: 'Pull' }).click();
  const brought = page.getByRole('region', { name: 'What the pull brought' });
  await expect(brought).toContainText('Conflict on demo/crm-sync: changed by ana and bob. Both are kept: choose below.');
  await expect(brought).toContainText(`Refused members/mallory.json (commit ${forged}, git author mallory): its signature is not ana's over this content: it was changed after signing, or forged`);
  const conflicts = page.getByRole('region', { name: /^Conflicts/ });
  await expect(conflicts.getByRole('button', { name: 'Keep bob’s version' })).toBeVisible();
  await expect(conflicts).toContainText('Owner: Integrations');
  await expect(page.getByRole('table', { name: 'Files of the team repository refused' })).toContainText('members/mallory.json');
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'team-conflict');
  await page.getByRole('table', { name: 'Files of the team repository refused' }).scrollIntoViewIfNeeded();
  await look(page, 'team-refused');

  // Keep bob's owner: ana's entry follows it (same secret: metadata only), and the choice is pushed.
  await conflicts.getByRole('button', { name: 'Keep bob’s version' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: /^Conflicts/ })).toBeHidden();
  expect(harness.services.keys.show({ tenant: 'demo', name: 'crm-sync' })).toMatchObject({ owner: 'Integrations', notes: 'Nightly export of passes to the CRM' });
  await page.getByRole('button', { name: /^Push/ }).click();
  await expect(page.getByRole('main').getByText(/^Pushed 3 commits to .*remote\.git\.$/)).toBeVisible();
  await bob.team.pull();
  expect((await bob.team.status()).keys.find((key) => key.heads[0]!.name === 'crm-sync')?.state).toBe('in-step');
});

test('removes a member: the secrets they could read are encrypted again without them, and each key they saw is offered to rotate', async ({ page }) => {
  await harness.services.team.share({ key: { tenant: 'demo', name: 'crm-sync' }, to: 'all' });
  await harness.services.team.share({ key: { tenant: 'demo', name: 'reports' }, metadataOnly: true });
  await open(page);
  await teamScreen(page);
  await page.getByRole('button', { name: 'Remove carl-with-a-rather-long-member-name from the team' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove carl-with-a-rather-long-member-name from the team' });
  await expect(dialog).toContainText('the 1 key they could read will be listed for you to rotate');
  await look(page, 'team-remove-dialog');
  await dialog.getByRole('button', { name: 'Remove' }).click();
  const removal = page.getByRole('region', { name: 'carl-with-a-rather-long-member-name was removed' });
  await expect(removal).toContainText('1 secret encrypted again without them.');
  await expect(removal).toContainText('could read these secrets and may have kept copies: rotate each.');
  await expect(removal.getByRole('button', { name: 'Rotate demo/crm-sync…' })).toBeVisible();
  const members = page.getByRole('table', { name: "The team's members" });
  await expect(members.getByRole('row', { name: /^carl-with-a-rather-long-member-name/ })).toContainText('removed by ana');
  await expect(page.getByRole('table', { name: /^Every key the team shares/ }).getByRole('row', { name: /demo\/reports/ })).toContainText('metadata only');
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'team-removed');
  await removal.getByRole('button', { name: 'Rotate demo/crm-sync…' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Rotation/ })).toBeVisible();
});

test('the review covers the team’s whole inventory: every shared key, whose vaults hold it, what to look at', async ({ page }) => {
  await open(page);
  await page.keyboard.press('Alt+5');
  const section = page.getByRole('region', { name: /^Team support: 2 shared keys$/ });
  await expect(section).toBeVisible();
  const table = section.getByRole('table', { name: /^The team’s shared keys/ });
  const reports = table.getByRole('row', { name: /demo\/reports/ });
  await expect(reports).toContainText('ana (metadata shared)');
  await expect(reports).toContainText('never judged by the vault that shared it');
  await expect(reports).toContainText('no owner named');
  await expect(table.getByRole('row', { name: /demo\/crm-sync/ })).toContainText('ana, bob');
  await section.scrollIntoViewIfNeeded();
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'review-team');
});

test('leaves the team from its screen: the vault stops pulling, and keeps its keys', async ({ page }) => {
  await open(page);
  await teamScreen(page);
  await page.getByRole('button', { name: 'Leave this team…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Leave team support' });
  await expect(dialog).toContainText('Its working copy stays on disk, the keys it received stay in this vault');
  await look(page, 'team-leave-dialog');
  await dialog.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Join a team' })).toBeVisible();
  expect(harness.services.keys.find({ tenant: 'demo', name: 'crm-sync' })).not.toBeNull();
});

test('makes a new identity once the vault is in no team: new keys shown, the old private halves gone', async ({ page }) => {
  await open(page);
  await teamScreen(page);
  const before = await harness.services.team.identity();
  const oldPrivate = await harness.services.secrets.get(TEAM_IDENTITY_ACCOUNT);
  await expect(page.getByRole('textbox', { name: /^Age recipient/ })).toHaveValue(before.recipient);
  // From the keyboard: to the button, Enter, then the dialog's own submit.
  await page.getByRole('button', { name: 'New identity…' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Make a new team identity' });
  await expect(dialog).toContainText('the old private halves are deleted');
  await look(page, 'team-new-identity-dialog');
  await dialog.getByRole('button', { name: 'Make a new identity' }).click();
  await expect(dialog).toBeHidden();
  const after = await harness.services.team.identity();
  expect(after.recipient).not.toBe(before.recipient);
  expect(after.signingKey).not.toBe(before.signingKey);
  await expect(page.getByRole('textbox', { name: /^Age recipient/ })).toHaveValue(after.recipient);
  await expect(page.getByRole('textbox', { name: /^Signing key/ })).toHaveValue(after.signingKey);
  await look(page, 'team-new-identity');
  // The private halves stay in the keychain: the old one is gone, neither ever reached the page.
  const newPrivate = [await harness.services.secrets.get(TEAM_IDENTITY_ACCOUNT), await harness.services.secrets.get(TEAM_SIGNING_ACCOUNT)];
  expect(newPrivate[0]).not.toBe(oldPrivate);
  for (const secret of [oldPrivate, ...newPrivate]) expect(harness.received.some((payload) => containsSecret(payload, secret!))).toBe(false);
});
