// tkv key edit and tkv key copy, run as a person would: the copy goes to a real X clipboard (a
// private Xvfb display) through xclip, and is taken off again only if still there.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startXDisplay, type XDisplay } from '../../support/x-display.ts';

const dataDir = scratchDir('key-edit');
const service = uniqueService('key-edit');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const tkv = (args: string[], stdin?: string, extra: Record<string, string> = {}) => runTkv(args, { env: { ...env, ...extra }, ...(stdin === undefined ? {} : { stdin }) });
const token = canaryToken();
let x: XDisplay | null;

beforeAll(async () => {
  x = await startXDisplay();
  expect((await tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--env', 'staging'])).code).toBe(0);
  // Pasted with spaces around it: stored without them, and said so.
  const added = await tkv(['key', 'add', 'demo/crm', '--scopes', 'Pass.Raed'], `  ${token}\t\n`);
  expect(added.code).toBe(0);
  expect(added.stderr).toContain('notice: the key had spaces or tabs around it; they were removed.');
  expect(added.stderr).toContain('warning: Pass.Raed is not a scope The Wallet Crew is known to have; did you mean Pass.Read?');
});
afterAll(async () => {
  x?.close();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv key edit', () => {
  it('changes notes, owner, expiry, scopes, server name and admin mark, warning where it should', async () => {
    const edited = await tkv(['key', 'edit', 'demo/crm', '--notes', 'used by the CRM sync', '--owner', 'CRM team', '--expires', '2020-06-30', '--scopes', 'Pass.Read,Secret.Read', '--remote-name', 'crm-v2', '--admin', '--json']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ key: { notes: 'used by the CRM sync', owner: 'CRM team', expiresOn: '2020-06-30', expired: true, scopes: ['Pass.Read', 'Secret.Read'], remoteName: 'crm-v2', admin: true }, warnings: ['The expiry date 2020-06-30 has passed: the key shows as expired.', expect.stringMatching(/^It is marked as the tenant's admin credential, but its declared scopes hold neither/)] });
    const cleared = JSON.parse((await tkv(['key', 'edit', 'demo/crm', '--notes', '', '--no-expiry', '--no-admin', '--json'])).stdout) as { key: Record<string, unknown> };
    expect(cleared.key).toMatchObject({ notes: null, expiresOn: null, admin: false, owner: 'CRM team' });
    expect((await tkv(['key', 'edit', 'demo/crm'])).code).toBe(2);
    expect((await tkv(['key', 'edit', 'demo/crm', '--expires', '2027-01-01', '--no-expiry'])).code).toBe(2);
    expect((await tkv(['key', 'edit', 'demo/crm', '--owner', 'a\u001b[2Jb'])).code).toBe(2);
  });
});

describe('tkv key copy', () => {
  it('says so where there is no clipboard, and copies nothing', async () => {
    const run = await tkv(['key', 'copy', 'demo/crm']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no desktop session here \(no DISPLAY or WAYLAND_DISPLAY\), so no clipboard/);
    expect(run.stdout).not.toContain(token);
  });

  it.runIf(process.platform === 'linux')('copies to the clipboard, clears it after the delay, and never wipes what was copied since', async () => {
    if (!x) throw new Error('Xvfb and xclip are needed for this test (.ci/run installs them)');
    const display = { DISPLAY: x.display, TKV_CLIPBOARD_CLEAR_MS: '1500' };
    const copied = await tkv(['key', 'copy', 'demo/crm'], undefined, display);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toMatch(/^Copied demo\/crm to the clipboard; it is cleared in 2 s unless you copy something else/);
    expect(copied.stdout).not.toContain(token);
    expect(x.clipboard()).toBe(token);
    await expect.poll(() => x!.clipboard(), { timeout: 6000, interval: 250 }).toBe('');
    // Copied again, then the person copies something else: that stays.
    expect((await tkv(['key', 'copy', 'demo/crm'], undefined, display)).code).toBe(0);
    x.copy('a note of my own');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(x.clipboard()).toBe('a note of my own');
    // Each copy is in the audit log.
    const db = new Database(path.join(dataDir, 'inventory.sqlite'), { readonly: true });
    try {
      expect(db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'copied' AND key_name = 'crm'`).pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });
});
