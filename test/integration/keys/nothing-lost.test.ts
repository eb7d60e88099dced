// Nothing is lost with the inventory: an inventory deleted, emptied, replaced by a foreign file or
// damaged is reported (never started afresh) while its secrets wait in the keychain; backups are
// taken daily and before migrations, private and pruned, and restore puts one back; a full disk is
// said as such, with nothing written. The real tkv, the real keychain, real SQLite.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDaily, listBackups } from '../../../src-main/core/db/backups.ts';
import { openInventoryDatabase } from '../../../src-main/core/db/database.ts';
import { createServices } from '../../../src-main/core/services.ts';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

const service = uniqueService('nothing-lost');
const dataDir = scratchDir('nothing-lost');
const inventory = path.join(dataDir, 'inventory.sqlite');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const tkv = (args: string[], stdin?: string) => runTkv(args, { env, timeoutMs: 30_000, ...(stdin === undefined ? {} : { stdin }) });

beforeAll(async () => {
  expect((await tkv(['tenant', 'add', 'acme', '--tenant-id', 'acme', '--env', 'staging'])).code).toBe(0);
  for (const name of ['crm', 'billing']) expect((await tkv(['key', 'add', `acme/${name}`, '--scopes', 'Pass.Read'], canaryToken())).code).toBe(0);
});

afterAll(async () => {
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function mode(file: string): string {
  return (fs.statSync(file).mode & 0o777).toString(8);
}

/** What `tkv key list --json` answers, and the keychain's entries of this vault. */
async function state(): Promise<{ code: number | null; keys: number | null; entries: number }> {
  const run = await tkv(['key', 'list', '--json']);
  const probe = scratchDir('nothing-lost-probe');
  const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: probe, TKV_KEYCHAIN_SERVICE: service } });
  const entries = (await services.secrets.listAccounts()).length;
  await services.close();
  fs.rmSync(probe, { recursive: true, force: true });
  return { code: run.code, keys: run.code === 0 ? (JSON.parse(run.stdout) as unknown[]).length : null, entries };
}

describe('the inventory’s backups', () => {
  it('are taken once a day while the vault holds keys, readable by the owner only', async () => {
    const backups = listBackups(inventory);
    expect(backups.map((backup) => backup.kind)).toEqual(['daily']);
    expect(mode(path.dirname(backups[0]!.file))).toBe('700');
    expect(mode(backups[0]!.file)).toBe('600');
    // A second command the same day takes none.
    await tkv(['key', 'list']);
    expect(listBackups(inventory)).toHaveLength(1);
    // The copy is a whole inventory, as it was when the first key made it worth keeping.
    const copy = new Database(backups[0]!.file, { readonly: true });
    expect((copy.prepare('SELECT name FROM keys').all() as { name: string }[]).map((row) => row.name)).toEqual(['crm']);
    copy.close();
  });

  it('keeps the newest seven daily ones', async () => {
    const dir = path.dirname(listBackups(inventory)[0]!.file);
    for (let day = 1; day <= 9; day += 1) fs.copyFileSync(listBackups(inventory)[0]!.file, path.join(dir, `inventory-2025-01-0${day}T00-00-00Z-daily.sqlite`));
    const db = openInventoryDatabase(inventory);
    // A minute after the newest backup: one taken in the same second would replace it, not add to it.
    const newest = Date.parse(listBackups(inventory)[0]!.takenAt);
    try {
      await backupDaily(db, inventory, new Date(Math.max(Date.now(), newest + 60_000)));
    } finally {
      db.close();
    }
    const daily = listBackups(inventory).filter((backup) => backup.kind === 'daily');
    expect(daily).toHaveLength(7);
    expect(daily.map((backup) => backup.takenAt).at(-1)).toBe('2025-01-05T00:00:00Z');
  });

  it('is taken before a migration, of the inventory as it was', () => {
    const scratch = scratchDir('nothing-lost-migrate');
    const file = path.join(scratch, 'inventory.sqlite');
    try {
      openInventoryDatabase(file).close();
      // An inventory of the schema before the last migration, with a tenant in it.
      const old = new Database(file);
      old.prepare("INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES ('t1', 'old', 'old', 'staging', 'https://app-qa.neostore.cloud', '2026-01-01')").run();
      old.exec('DROP TABLE key_server_words');
      old.pragma('user_version = 12');
      old.close();
      openInventoryDatabase(file).close();
      const [backup] = listBackups(file);
      expect(backup).toMatchObject({ kind: 'migration', file: expect.stringMatching(/-before-v13\.sqlite$/) });
      expect(mode(backup!.file)).toBe('600');
      const copy = new Database(backup!.file, { readonly: true });
      expect([copy.pragma('user_version', { simple: true }), (copy.prepare('SELECT alias FROM tenants').get() as { alias: string }).alias]).toEqual([12, 'old']);
      copy.close();
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('an inventory that lost its past', () => {
  for (const [how, lose] of [
    ['emptied to 0 bytes', () => fs.writeFileSync(inventory, '')],
    ['deleted', () => fs.rmSync(inventory)],
  ] as const) {
    it(`${how}: reported with the secrets the keychain holds, nothing changed, nothing forgotten; restored from its backup`, async () => {
      for (const suffix of ['-wal', '-shm']) fs.rmSync(`${inventory}${suffix}`, { force: true });
      lose();
      const list = await tkv(['key', 'list']);
      expect(list.code).toBe(1);
      expect(list.stderr).toMatch(/^tkv: Inventory lost: 2 secrets of this vault are in the keychain \(service "tkv-test-nothing-lost-[^"]+"\), but the inventory at .* lists no key: it was deleted, emptied or replaced\. Nothing was changed/);
      expect(list.stderr).toMatch(/Restore the inventory from its backup of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      expect(list.stderr).toContain('tkv doctor --restore');
      const json = await tkv(['key', 'list', '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'INVENTORY_LOST' } });
      // Nothing that would make the loss look like a fresh start, or forget the secrets, runs.
      expect((await tkv(['tenant', 'add', 'fresh', '--tenant-id', 'fresh', '--env', 'staging'])).code).toBe(1);
      expect((await tkv(['reconcile', '--remove-orphans', '--yes'])).code).toBe(1);
      // Nor a new team identity: a lost inventory does not know the vault is in a team.
      expect((await tkv(['team', 'identity', '--new', '--yes'])).stderr).toMatch(/^tkv: Inventory lost: /);
      expect((await state()).entries).toBe(2);
      // Looking is allowed.
      expect(JSON.parse((await tkv(['reconcile', '--json'])).stdout)).toMatchObject({ orphanSecrets: [expect.anything(), expect.anything()] });
      const doctor = await tkv(['doctor']);
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toMatch(/FAIL {2}inventory: lost: 2 secrets of this vault are in the keychain/);

      const restored = await tkv(['doctor', '--restore', '--yes']);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/Restored the inventory from the backup of .*The file it replaced is kept as .*inventory\.sqlite\.replaced-/);
      expect(await state()).toMatchObject({ code: 0, keys: 2, entries: 2 });
      expect(mode(inventory)).toBe('600');
    });
  }

  it('replaced by a file that is not an inventory: said so, with the secrets and the backup', async () => {
    const aside = `${inventory}.kept`;
    fs.copyFileSync(inventory, aside);
    try {
      for (const suffix of ['-wal', '-shm']) fs.rmSync(`${inventory}${suffix}`, { force: true });
      fs.writeFileSync(inventory, 'this is a spreadsheet someone saved over the inventory'.repeat(100));
      const list = await tkv(['key', 'list']);
      expect(list.code).toBe(1);
      expect(list.stderr).toMatch(/Cannot (open|prepare) the inventory at .*not a database.* 2 secrets of this vault are in the keychain .* and safe there\. Nothing was changed\./);
      expect(list.stderr).toContain('tkv doctor --restore');
    } finally {
      fs.copyFileSync(aside, inventory);
      fs.rmSync(aside);
    }
    expect((await state()).keys).toBe(2);
  });

  it('a damaged page is found as the vault opens, not only by doctor', async () => {
    const scratch = scratchDir('nothing-lost-damaged');
    const file = path.join(scratch, 'inventory.sqlite');
    try {
      const services = createServices({ actor: 'app', env: { TKV_DATA_DIR: scratch, TKV_KEYCHAIN_SERVICE: `${service}-damaged` } });
      services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
      for (let index = 0; index < 200; index += 1) services.db.raw.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)').run('2026-01-01T00:00:00Z', 'cli', 'exported', 'x'.repeat(200));
      await services.close();
      // Scribble over the header of a page in the middle of the file (the audit log's b-tree).
      const handle = fs.openSync(file, 'r+');
      const pages = Math.floor(fs.statSync(file).size / 4096);
      fs.writeSync(handle, Buffer.alloc(64, 0xa5), 0, 64, 4096 * Math.floor(pages / 2));
      fs.closeSync(handle);
      const reopened = createServices({ actor: 'app', env: { TKV_DATA_DIR: scratch, TKV_KEYCHAIN_SERVICE: `${service}-damaged` } });
      try {
        expect(reopened.inventoryDamage()).toEqual(expect.stringMatching(/\S/));
      } finally {
        await reopened.close().catch(() => undefined);
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
      await clearService(`${service}-damaged`);
    }
  });
});

describe('a full disk', () => {
  const mount = scratchDir('nothing-lost-full');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]).status === 0;
  if (!mounted) console.log('[nothing-lost] a small tmpfs cannot be mounted here (not root?): the full-disk test is skipped');
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('is said as such, and nothing is written: the key is neither listed nor in the keychain', async () => {
    const fullEnv = { ...process.env, TKV_DATA_DIR: path.join(mount, 'vault'), TKV_KEYCHAIN_SERVICE: `${service}-full` };
    try {
      expect((await runTkv(['tenant', 'add', 'acme', '--tenant-id', 'acme', '--env', 'staging'], { env: fullEnv })).code).toBe(0);
      expect((await runTkv(['key', 'add', 'acme/first'], { env: fullEnv, stdin: canaryToken() })).code).toBe(0);
      // Fill the disk, then try to add a key.
      const filler = path.join(mount, 'filler');
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'ignore' });
      let failed: { code: number | null; stderr: string } | null = null;
      for (let attempt = 0; attempt < 50 && !failed; attempt += 1) {
        const run = await runTkv(['key', 'add', `acme/key-${attempt}`, '--notes', 'n'.repeat(1500)], { env: fullEnv, stdin: canaryToken() });
        if (run.code !== 0) failed = run;
      }
      expect(failed).not.toBeNull();
      expect(failed!.stderr).toMatch(/The disk holding the inventory \(.*\) is full: nothing was written/);
      expect(failed!.stderr).not.toMatch(/disk I\/O error|unexpected error/);
      fs.rmSync(filler);
      const listed = JSON.parse((await runTkv(['key', 'list', '--json'], { env: fullEnv })).stdout) as { name: string }[];
      const probe = scratchDir('nothing-lost-full-probe');
      const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: probe, TKV_KEYCHAIN_SERVICE: `${service}-full` } });
      expect((await services.secrets.listAccounts()).length).toBe(listed.length);
      await services.close();
      fs.rmSync(probe, { recursive: true, force: true });
    } finally {
      await clearService(`${service}-full`);
    }
  });
});
