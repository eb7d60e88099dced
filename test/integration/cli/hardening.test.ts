// What a careless user or a hostile server could make tkv do, found by trying, each now refused or
// neutralized: a key typed in the wrong place echoed back, terminal escapes from a server or a note,
// dot segments in names and paths, "loopback" names that go through DNS, data files open to all.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTkv, type CliRun } from '../../support/cli.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { json, startServer, type TestServer } from '../../support/servers.ts';

const dataDir = scratchDir('hardening');
const service = uniqueService('hardening');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const tkv = (args: string[], stdin?: string, extra: Record<string, string> = {}): Promise<CliRun> => runTkv(args, { env: { ...env, ...extra }, ...(stdin === undefined ? {} : { stdin }) });
/** What a terminal would act on: ESC, BEL, CSI (C1) and the bidirectional overrides. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u001b\u0007\u009b\u202e]/;
let evil: TestServer;

beforeAll(async () => {
  // A server whose every answer carries terminal escapes: in key names, permissions and problem text.
  evil = await startServer((request, response) => {
    if (request.url?.endsWith('/admin/apiKeys')) {
      json(response, 200, [{ name: 'innocent\u001b]0;pwned\u0007\u001b[2J', enabled: true, permissions: ['Pass.Read\u001b[31m', 'x\u009b31m\u202eevil'] }]);
      return;
    }
    json(response, 401, { title: 'Unauthorized\u001b[2J\u001b[H', status: 401, detail: 'bad key\u0007\u001b]8;;https://phish.invalid\u0007click\u001b]8;;\u0007' }, { 'content-type': 'application/problem+json' });
  });
  expect((await tkv(['tenant', 'add', 'evil', '--tenant-id', 'evil', '--base-url', evil.url])).code).toBe(0);
  expect((await tkv(['key', 'add', 'evil/admin', '--admin'], canaryToken())).code).toBe(0);
});

afterAll(async () => {
  await evil.close();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv refuses and neutralizes', () => {
  it('never repeats in a usage error an argument that could be a key', async () => {
    const secret = canaryToken();
    const cases = [
      [secret],
      ['key', secret],
      ['key', 'add', 'evil/crm', secret],
      ['key', 'show', secret],
      ['key', 'show', `evil/${secret}x!`],
      ['check', secret],
      ['tenant', 'add', 'x', '--tenant-id', 'x', '--env', secret],
      ['tenant', 'add', 'x', '--tenant-id', 'x', '--base-url', secret],
      ['key', 'list', `--${secret}`],
      ['key', 'list', '--tenant', 'evil', secret],
    ];
    for (const args of cases) {
      const run = await tkv(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(`${run.stdout}${run.stderr}`, args.join(' ')).not.toContain(secret.slice(0, 16));
    }
    // Short, harmless words are still named, so the mistake can be seen.
    expect((await tkv(['frobnicate'])).stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('neutralizes terminal escapes from a server in human output, and keeps JSON valid', async () => {
    const listed = await tkv(['remote', 'list', 'evil']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
    expect(listed.stdout).toContain('innocent\\u001b]0;pwned\\u0007\\u001b[2J');
    const asJson = await tkv(['remote', 'list', 'evil', '--json']);
    expect(asJson.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(asJson.stdout) as { keys: { name: string; permissions: string[] }[] }).keys[0]).toMatchObject({ name: 'innocent\u001b]0;pwned\u0007\u001b[2J', permissions: ['Pass.Read\u001b[31m', 'x\u009b31m\u202eevil'] });
    for (const args of [['check', 'evil/admin'], ['check', 'evil/admin', '--report', 'md'], ['check', 'evil/admin', '--json']]) {
      const run = await tkv(args);
      expect(run.code).toBe(10);
      expect(`${run.stdout}${run.stderr}`, args.join(' ')).not.toMatch(RAW_CONTROL);
    }
  });

  it('refuses control characters in notes, owner and label, and dots-only names, and dot segments in probe paths', async () => {
    const refusals: [string[], RegExp][] = [
      [['key', 'add', 'evil/noted', '--notes', 'hello\u001b[2J'], /Notes contains control characters/],
      [['key', 'add', 'evil/owned', '--owner', 'line\nbreak'], /Owner contains control characters or line breaks/],
      [['tenant', 'add', 'labelled', '--tenant-id', 'x', '--env', 'staging', '--label', 'a\u202eb'], /Label contains control characters/],
      [['tenant', 'add', '..', '--tenant-id', 'x', '--env', 'staging'], /Tenant alias cannot be made of dots only/],
      [['tenant', 'add', 'dots', '--tenant-id', '..', '--env', 'staging'], /Tenant id cannot be made of dots only/],
      [['key', 'add', 'evil/.'], /Key name cannot be made of dots only/],
      [['probe', 'add', 'up', '--path', '/api/{tenantId}/../admin/config'], /must not contain "\." or "\.\." segments/],
      [['probe', 'add', 'up2', '--path', '/api/%2e%2e/admin/config'], /must not contain "\." or "\.\." segments/],
      [['check', '--base-url', evil.url, '--tenant-id', 'x', '--path', '/api/./x', '--key-stdin'], /must not contain "\." or "\.\." segments/],
      [['check', '--base-url', evil.url, '--tenant-id', '..', '--key-stdin'], /Tenant id cannot be made of dots only/],
    ];
    for (const [args, message] of refusals) {
      const run = await tkv(args, 'some-key-value-0123456789');
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    // Multi-line notes are fine.
    expect((await tkv(['key', 'add', 'evil/noted', '--notes', 'first line\n\tsecond line'], canaryToken())).code).toBe(0);
  });

  it('sends a key over plain http only to literal loopback, never to a .localhost name', async () => {
    for (const url of ['http://attacker.localhost:8080', 'http://localhost.:8080', 'http://127.0.0.1.nip.invalid']) {
      const run = await tkv(['tenant', 'add', 'trap', '--tenant-id', 'x', '--base-url', url]);
      expect(run.code, url).toBe(2);
      expect(run.stderr, url).toMatch(/plain http to a remote host/);
    }
    for (const url of ['http://localhost:9', 'http://127.0.0.2:9', 'http://[::1]:9']) {
      const run = await tkv(['check', '--base-url', url, '--tenant-id', 'x', '--key-stdin', '--json'], 'k'.repeat(20));
      expect(JSON.parse(run.stdout), url).toMatchObject({ verdict: 'network_error' });
    }
  });

  it('keeps its data directory 0700 and its files 0600, tightening looser ones with a notice', async () => {
    const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
    const file = path.join(dataDir, 'inventory.sqlite');
    expect((await tkv(['key', 'list'])).code).toBe(0);
    expect(mode(dataDir)).toBe('700');
    for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(`${file}${suffix}`)) expect(mode(`${file}${suffix}`), suffix).toBe('600');
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(file, 0o644);
    const loosened = await tkv(['tenant', 'list']);
    expect(loosened.stderr).toMatch(/notice: The data directory .* was open to other users \(mode 0755\); it is now 0700/);
    expect(loosened.stderr).toMatch(/notice: The inventory file .*inventory\.sqlite was open to other users \(mode 0644\); it is now 0600/);
    expect([mode(dataDir), mode(file)]).toEqual(['700', '600']);
    // A fresh directory is made private from the start, and doctor says what it found.
    const fresh = path.join(scratchDir('hardening-fresh'), 'nested', 'data');
    try {
      const doctor = await tkv(['doctor', '--json'], undefined, { TKV_DATA_DIR: fresh });
      const report = JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.checks.find((check) => check.name === 'permissions')).toMatchObject({ ok: true, detail: expect.stringMatching(/data 0700.*inventory\.sqlite 0600/) });
      expect(mode(fresh)).toBe('700');
    } finally {
      fs.rmSync(path.dirname(path.dirname(fresh)), { recursive: true, force: true });
    }
  });
});
