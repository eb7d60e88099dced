// The offline review and the audit log through the real tkv, on a fixture inventory built through
// core (real keychain, SQLite in a temp dir) with every flag present: each flag found with its reason,
// exports in every format parsed by real parsers with no secret in them, sign-off then a change shown
// as the difference, and an edited audit row caught by `tkv audit verify`.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { INVENTORY_FILE } from '../../../src-main/core/paths.ts';
import { FLAG_CODES, type FlagCode, type ReviewReport } from '../../../src-main/shared/contract.ts';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { insertSnapshot } from '../../support/vault.ts';

const DAY = 86_400_000;
let dataDir: string;
let service: string;
let env: Record<string, string | undefined>;
const secrets: string[] = [];
const outputs: string[] = [];
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();
const day = (offsetDays: number) => iso(offsetDays).slice(0, 10);

function open(offsetDays = 0): Services {
  return createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, clock: { now: () => new Date(Date.now() + offsetDays * DAY) } });
}

async function tkv(args: string[]) {
  const run = await runTkv(args, { env });
  outputs.push(run.stdout, run.stderr);
  return run;
}

async function add(services: Services, tenant: string, name: string, extra: { scopes?: string[]; expiresOn?: string; owner?: string; admin?: boolean; remoteName?: string } = {}) {
  const secret = canaryToken();
  secrets.push(secret);
  return services.keys.add({ tenant, name, secret, scopes: extra.scopes ?? ['Pass.Read'], owner: extra.owner ?? 'Integrations team', ...(extra.expiresOn ? { expiresOn: extra.expiresOn } : {}), ...(extra.admin ? { admin: true } : {}), ...(extra.remoteName ? { remoteName: extra.remoteName } : {}) });
}

function check(services: Services, key: { id: string; tenant: string; name: string; fingerprint: string }, verdict: 'valid' | 'unauthorized', status: number) {
  // A run starts at the vault clock's now, which this check shares.
  const run = services.checks.beginRun('check');
  services.checks.recordChecks(run, [{ keyId: key.id, tenant: key.tenant, keyName: key.name, fingerprint: key.fingerprint, at: run.startedAt, probe: 'config', verdict, status, durationMs: 3, url: 'http://127.0.0.1/api/acme/admin/config' }]);
}

beforeAll(async () => {
  dataDir = scratchDir('review');
  service = uniqueService('review');
  env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
  // 400 days ago: keys made then, a check then, a server listing then.
  const past = open(-400);
  past.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
  past.tenants.add({ alias: 'beta', tenantId: 'beta', environment: 'production' });
  const old = await add(past, 'acme', 'old-timer');
  const stale = await add(past, 'acme', 'stale');
  check(past, stale, 'valid', 200);
  await past.close();

  // 50 days ago: the rest of the keys, older than the server listing below (a listing says nothing of
  // a key made after it).
  const now = open(-50);
  await add(now, 'acme', 'admin', { scopes: ['*'], admin: true });
  await add(now, 'acme', 'expired', { expiresOn: day(-3) });
  await add(now, 'acme', 'soon', { expiresOn: day(5) });
  await add(now, 'acme', 'tomorrow', { expiresOn: day(1) });
  await add(now, 'acme', 'wild', { scopes: ['*'] });
  const revoked = await add(now, 'acme', 'revoked');
  check(now, revoked, 'unauthorized', 401);
  await add(now, 'acme', 'drifted', { scopes: ['Pass.Read'] });
  // Its name on the server is known (it was created there): missing from the list, it was deleted.
  await add(now, 'acme', 'gone', { remoteName: 'gone' });
  // Its name on the server was never given, and the list has no key of its own name: not linked, not deleted.
  await add(now, 'acme', 'unlinked');
  const lost = await add(now, 'acme', 'lost');
  await now.secrets.delete(lost.secretAccount);
  await add(now, 'beta', 'twin-a');
  const twin = await add(now, 'beta', 'twin-b');
  const ownerless = await add(now, 'beta', 'ownerless');
  now.keys.edit({ tenant: 'beta', name: 'ownerless' }, { owner: null });
  // A key held twice (an older vault, a restored backup): the same fingerprint under two names.
  now.db.raw.prepare('UPDATE keys SET fingerprint = (SELECT fingerprint FROM keys WHERE name = ?) WHERE id = ?').run('twin-a', twin.id);
  // A keychain entry nothing refers to.
  await now.secrets.set('stray-entry', canaryToken());
  // The server's list, 40 days old: "drifted" differs, "gone" is missing, "server-only" is not in the vault.
  const listed = now.keys.list({ tenant: 'acme' }).filter((key) => key.name !== 'gone' && key.name !== 'unlinked').map((key) => ({ name: key.remoteName, enabled: key.name !== 'drifted', permissions: key.name === 'drifted' ? ['Pass.Read', 'Pass.Write'] : key.scopes }));
  insertSnapshot(now, 'acme', iso(-40), [...listed, { name: 'server-only', enabled: true, permissions: ['Secret.Read'] }]);
  // A rotation left open midway.
  const rotating = now.keys.find({ tenant: 'acme', name: 'soon' })!;
  now.db.raw
    .prepare(`INSERT INTO rotations (id, key_id, tenant, key_name, state, step, old_remote_name, old_account, old_fingerprint, new_remote_name, new_account, new_fingerprint, permissions, retire, last_error, started_at, updated_at)
      VALUES ('rot-1', ?, 'acme', 'soon', 'started', 'created', 'soon', ?, ?, 'soon-2', 'new-account', NULL, '["Pass.Read"]', NULL, NULL, ?, ?)`)
    .run(rotating.id, rotating.secretAccount, rotating.fingerprint, iso(-1), iso(-1));
  // What the vendor's logs showed of "old-timer" when they were last read, 10 days ago, without a gap from 125 days back: its last request 120 days back.
  now.db.raw.prepare('INSERT INTO key_usage (key_id, last_seen, covered_from, asked_at) VALUES (?, ?, ?, ?)').run(now.keys.find({ tenant: 'acme', name: 'old-timer' })!.id, iso(-120), iso(-125), iso(-10));
  expect(old).toBeTruthy();
  expect(ownerless).toBeTruthy();
  await now.close();
  // Made today, after the server was last listed: that listing says nothing of it.
  const today = open();
  await add(today, 'acme', 'fresh');
  await today.close();
});

afterAll(async () => {
  // No secret of the fixture in any output, export or file the run wrote.
  for (const secret of secrets) {
    for (const output of outputs) expect(containsSecret(output, secret)).toBe(false);
    expect(filesContaining([dataDir], secret)).toEqual([]);
  }
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const flagsOf = (report: ReviewReport, name: string) => report.keys.find((key) => key.name === name)!.flags;
const has = (report: ReviewReport, name: string, code: FlagCode, reason: RegExp) => expect(flagsOf(report, name), `${name}: ${code}`).toContainEqual(expect.objectContaining({ code, reason: expect.stringMatching(reason) }));

describe('tkv review', () => {
  it('finds every flag, each with its reason and what to do, most severe first; exit 20 when flagged', async () => {
    const run = await tkv(['review', '--json']);
    expect(run.code, run.stderr).toBe(20);
    const report = JSON.parse(run.stdout) as ReviewReport;
    has(report, 'expired', 'expired', new RegExp(`Expired on ${day(-3)}`));
    has(report, 'soon', 'expiring', /Expires in 5 days .*within 7 days/);
    expect(flagsOf(report, 'tomorrow').find((flag) => flag.code === 'expiring')?.severity).toBe('critical');
    has(report, 'wild', 'wildcard', /not the tenant’s admin credential/);
    expect(flagsOf(report, 'admin').map((flag) => flag.code)).not.toContain('wildcard');
    has(report, 'admin', 'admin-credential', /admin credential/);
    has(report, 'wild', 'never-checked', /Never checked/);
    has(report, 'stale', 'check-stale', /Last checked 40\d days ago/);
    has(report, 'revoked', 'failing', /401/);
    has(report, 'drifted', 'drift-permissions', /server grants Pass\.Read, Pass\.Write; the vault declares Pass\.Read/);
    has(report, 'drifted', 'drift-enabled', /lists it disabled/);
    has(report, 'gone', 'missing-on-server', /has no key "gone"/);
    has(report, 'unlinked', 'not-linked', /does not know its name on the server/);
    expect(report.keys.find((key) => key.name === 'unlinked')!.flags.map((flag) => flag.code)).not.toContain('missing-on-server');
    has(report, 'wild', 'snapshot-stale', /40 days old/);
    has(report, 'twin-a', 'no-snapshot', /never listed/);
    has(report, 'fresh', 'no-snapshot', /predates this key/);
    expect(flagsOf(report, 'fresh').map((flag) => flag.code)).not.toContain('missing-on-server');
    has(report, 'twin-b', 'duplicate-fingerprint', /also stored as beta\/twin-a/);
    has(report, 'lost', 'secret-missing', /keychain entry is missing/);
    has(report, 'soon', 'rotation-open', /still at “created”/);
    has(report, 'old-timer', 'rotation-due', /Created 40\d days ago; the rotation policy is 365 days/);
    has(report, 'ownerless', 'no-owner', /Nobody is recorded/);
    has(report, 'old-timer', 'unused', new RegExp(`No request seen for 110 days: the last was ${day(-120)} \\(the vendor’s logs, read ${day(-10)}\\); the threshold is 90 days`));
    const found = new Set(report.keys.flatMap((key) => key.flags.map((flag) => flag.code)));
    expect([...FLAG_CODES].filter((code) => !found.has(code))).toEqual([]);
    // Findings outside the vault: the server's own key, and the stray keychain entry (counted, never named).
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'only-on-server', name: 'server-only' }));
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'orphan-secret', reason: expect.stringMatching(/^1 keychain entry/) }));
    expect(run.stdout).not.toContain('stray-entry');
    // Most severe first, and every flag says what to do (but the admin note).
    const ranks = report.keys.map((key) => ['critical', 'warning', 'info', null].indexOf(key.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const key of report.keys) for (const flag of key.flags) if (flag.code !== 'admin-credential') expect(flag.remedies.length, `${key.name}: ${flag.code}`).toBeGreaterThan(0);
    expect(report.summary.perTenant).toEqual(expect.arrayContaining([expect.objectContaining({ tenant: 'acme', keys: 13 }), expect.objectContaining({ tenant: 'beta', keys: 3, snapshotAt: null })]));
  });

  it('prints the summary and the flagged keys for a person, with the tkv command of each remedy', async () => {
    const run = await tkv(['review', '--tenant', 'acme']);
    expect(run.code).toBe(20);
    expect(run.stdout).toMatch(/13 keys; \d+ flagged: \d+ critical/);
    expect(run.stdout).toMatch(/CRITICAL {2}acme\/expired/);
    expect(run.stdout).toContain('tkv rotate acme/old-timer');
    expect(run.stdout).not.toContain('beta/');
    const critical = await tkv(['review', '--tenant', 'beta', '--fail-on', 'critical']);
    expect(critical.code).toBe(0); // beta's worst is a warning (the duplicate)
    expect((await tkv(['review', '--fail-on', 'never'])).code).toBe(2);
  });

  it('exports csv, json, md and html that parse, hold every key, and no secret or keychain account', async () => {
    const services = open();
    const accounts = services.keys.list().map((key) => key.secretAccount);
    await services.close();
    const out = (format: string) => path.join(dataDir, '..', `${path.basename(dataDir)}-review.${format}`);
    for (const format of ['csv', 'json', 'md', 'html']) {
      const run = await tkv(['review', 'export', '--format', format, '--out', out(format)]);
      expect(run.code, run.stderr).toBe(0);
      const text = fs.readFileSync(out(format), 'utf8');
      outputs.push(text);
      expect(fs.statSync(out(format)).mode & 0o777).toBe(0o600);
      for (const account of accounts) expect(text, `${format} holds a keychain account`).not.toContain(account);
      for (const secret of secrets) expect(containsSecret(text, secret), `${format} holds a secret`).toBe(false);
    }
    const rows = parseCsv(fs.readFileSync(out('csv'), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows).toHaveLength(16);
    expect(rows.find((row) => row.name === 'drifted')).toMatchObject({ tenant: 'acme', drift: expect.stringMatching(/permissions differ, enabled state differs/), flags: expect.stringContaining('drift-permissions') });
    const schema = z.object({
      format: z.literal('tkv-review/1'),
      summary: z.object({ keys: z.number(), flagged: z.number() }),
      keys: z.array(z.object({ tenant: z.string(), name: z.string(), fingerprint: z.string(), flags: z.array(z.object({ code: z.enum(FLAG_CODES), severity: z.enum(['critical', 'warning', 'info']), reason: z.string() })) }).strict().passthrough()),
      charts: z.object({ verdicts: z.array(z.object({ label: z.string(), value: z.number() })), expiry: z.array(z.unknown()).length(53), age: z.array(z.unknown()), scopes: z.array(z.unknown()) }),
    });
    const json = schema.parse(JSON.parse(fs.readFileSync(out('json'), 'utf8')));
    expect(json.keys).toHaveLength(16);
    expect(fs.readFileSync(out('md'), 'utf8')).toMatch(/^# Key inventory review/);
    const page = fs.readFileSync(out('html'), 'utf8');
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    expect(page).not.toMatch(/<script|https?:\/\//i);
    expect((await tkv(['review', 'export', '--format', 'pdf'])).code).toBe(2);
    const audit = JSON.parse((await tkv(['audit', '--action', 'exported', '--json'])).stdout) as { detail: { format: string } }[];
    expect(audit.map((entry) => entry.detail.format).sort()).toEqual(['csv', 'html', 'json', 'md']);
    for (const format of ['csv', 'json', 'md', 'html']) fs.rmSync(out(format), { force: true });
  });

  it('signs off the current state; after a change, the review shows what changed since', async () => {
    const signed = await tkv(['review', 'sign', '--reviewer', 'Rita Reviewer', '--note', 'Quarterly review', '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    const signOff = JSON.parse(signed.stdout) as { digest: string; keys: number };
    expect(signOff.keys).toBe(16);
    const same = JSON.parse((await tkv(['review', '--json'])).stdout) as ReviewReport;
    expect(same.changes).toMatchObject({ unchanged: true, since: { reviewer: 'Rita Reviewer', digest: signOff.digest } });

    const services = open();
    await add(services, 'beta', 'newcomer');
    services.keys.edit({ tenant: 'acme', name: 'wild' }, { scopes: ['Pass.Read'] });
    await services.keys.remove({ tenant: 'acme', name: 'gone' });
    await services.close();
    const after = JSON.parse((await tkv(['review', '--json'])).stdout) as ReviewReport;
    expect(after.changes).toMatchObject({ unchanged: false, added: ['beta/newcomer'], removed: ['acme/gone'] });
    expect(after.changes!.cleared).toContainEqual({ key: 'acme/wild', codes: ['wildcard'] });
    const human = await tkv(['review']);
    expect(human.stdout).toMatch(/Since the sign-off by Rita Reviewer/);
    expect(human.stdout).toMatch(/added: beta\/newcomer/);
    expect(human.stdout).toMatch(/cleared: acme\/wild \(wildcard\)/);
    const signs = JSON.parse((await tkv(['audit', '--action', 'signed', '--json'])).stdout) as { detail: { reviewer: string; digest: string } }[];
    expect(signs[0]!.detail).toMatchObject({ reviewer: 'Rita Reviewer', digest: signOff.digest });
  });
});

describe('tkv audit', () => {
  it('lists and filters the log, as a table, JSON or CSV, never with a secret', async () => {
    const all = JSON.parse((await tkv(['audit', '--json'])).stdout) as { action: string; keyName: string | null }[];
    expect(all.length).toBeGreaterThan(20);
    const forKey = JSON.parse((await tkv(['audit', '--key', 'acme/revoked', '--json'])).stdout) as { action: string; keyName: string }[];
    expect(forKey.map((entry) => entry.action).sort()).toEqual(['added', 'validated']);
    const checked = JSON.parse((await tkv(['audit', '--action', 'checked', '--json'])).stdout) as { action: string }[];
    expect(checked.length).toBe(2);
    expect(checked.every((entry) => entry.action === 'validated')).toBe(true);
    const recent = JSON.parse((await tkv(['audit', '--since', day(-1), '--json'])).stdout) as unknown[];
    expect(recent.length).toBeLessThan(all.length);
    const csv = parseCsv((await tkv(['audit', '--csv'])).stdout, { columns: true }) as Record<string, string>[];
    expect(csv.length).toBe(all.length);
    expect(Object.keys(csv[0]!)).toEqual(['id', 'at', 'actor', 'action', 'tenant', 'key', 'fingerprint', 'detail']);
    expect((await tkv(['audit', '--since', 'yesterday-ish'])).code).toBe(2);
  });

  it('verifies the chain, and finds an edited entry and a removed one', async () => {
    const intact = await tkv(['audit', 'verify']);
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/chain holds: \d+ entries/);

    const file = path.join(dataDir, INVENTORY_FILE);
    const db = new Database(file);
    const target = db.prepare(`SELECT id, detail FROM audit_log WHERE action = 'signed'`).get() as { id: number; detail: string };
    db.prepare('UPDATE audit_log SET detail = ? WHERE id = ?').run(target.detail.replace('Rita Reviewer', 'Someone Else'), target.id);
    db.close();
    const edited = await tkv(['audit', 'verify', '--json']);
    expect(edited.code).toBe(1);
    expect(JSON.parse(edited.stdout)).toMatchObject({ intact: false, broken: { id: target.id, reason: 'edited' } });

    const db2 = new Database(file);
    db2.prepare('UPDATE audit_log SET detail = ? WHERE id = ?').run(target.detail, target.id);
    const victim = (db2.prepare(`SELECT id FROM audit_log WHERE action = 'validated' ORDER BY id LIMIT 1`).get() as { id: number }).id;
    db2.prepare('DELETE FROM audit_log WHERE id = ?').run(victim);
    db2.close();
    const removed = JSON.parse((await tkv(['audit', 'verify', '--json'])).stdout) as { intact: boolean; broken: { id: number; reason: string } };
    expect(removed).toMatchObject({ intact: false, broken: { reason: 'reordered-or-removed' } });
    expect(removed.broken.id).toBeGreaterThan(victim);
  });
});
