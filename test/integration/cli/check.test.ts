// tkv check end to end: the real executable against the sandbox, with the real keychain.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main.ts';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { runTkv, TKV } from '../../support/cli.ts';
import { canaryToken, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const service = uniqueService('cli-check');
const dataDir = scratchDir('cli-check');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const outputs: string[] = [];
/** Every key this suite stores, searched for in every output and file at the end. */
const secrets: string[] = [];
let sandbox: TestSandbox;
let token: string;

async function tkv(args: string[], stdin?: string) {
  const run = await runTkv(args, { env, ...(stdin === undefined ? {} : { stdin }) });
  outputs.push(run.stdout, run.stderr);
  return run;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  const response = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'crm', permissions: ['tenant.core:read'] } });
  token = ((await response.json()) as { token: string }).token;
  secrets.push(token);
  expect((await tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', sandbox.url])).code).toBe(0);
  expect((await tkv(['key', 'add', 'demo/crm', '--scopes', 'tenant.core:read'], token)).code).toBe(0);
});
afterAll(async () => {
  await sandbox.dispose();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tkv check', () => {
  it('exits 0 for a valid stored key and prints the JSON fields the contract names', async () => {
    const run = await tkv(['check', 'demo/crm', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      verdict: 'valid',
      status: 200,
      request: { method: 'GET', url: `${sandbox.url}/api/demo/admin/config` },
      durationMs: expect.any(Number),
      retryAfterSeconds: null,
      bodyKind: 'json',
      problem: null,
      summary: expect.any(String),
      nextSteps: expect.any(Array),
      key: { fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
  });

  it('exits 11 for forbidden and 10 for unauthorized', async () => {
    expect((await tkv(['check', 'demo/crm', '--probe', 'secrets'])).code).toBe(11);
    const run = await tkv(['check', '--base-url', sandbox.url, '--tenant-id', 'demo', '--key-stdin'], 'not-a-real-key');
    expect(run.code).toBe(10);
    expect(run.stdout).toMatch(/^UNAUTHORIZED {2}401 {2}GET /);
  });

  it('exits 12 for other verdicts, 2 for an insecure base URL, 1 when the check cannot run', async () => {
    expect((await tkv(['check', '--base-url', sandbox.url, '--tenant-id', 'nobody', '--key-stdin'], token)).code).toBe(12);
    expect((await tkv(['check', '--base-url', 'http://127.0.0.1:1', '--tenant-id', 'demo', '--key-stdin'], token)).code).toBe(12);
    const insecure = await tkv(['check', '--base-url', 'http://example.com', '--tenant-id', 'demo', '--key-stdin'], token);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toMatch(/clear text/);
    expect((await tkv(['check', 'demo/nope'])).code).toBe(1);
    expect((await tkv(['check', 'demo/crm', '--probe', 'no-such-probe'])).code).toBe(2);
    const both = await tkv(['check', 'demo/crm', '--scopes-matrix', '--probe', 'config']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^tkv: --scopes-matrix tries a probe per scope: leave --probe out\nusage: tkv check /);
    // A CA file that cannot be used is the flag's mistake, said before the vault opens: not a damaged inventory.
    const noCa = await tkv(['check', 'demo/crm', '--ca-file', `${dataDir}/no-such.pem`]);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toMatch(/^tkv: --ca-file: cannot read .*no-such\.pem \(ENOENT\)/);
    expect(noCa.stderr).not.toMatch(/doctor|inventory/);
  });

  it('checks the vendor’s example key, holding only Pass.Read, with the passes probe: valid, exit 0', async () => {
    const created = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'passes-reader', permissions: ['Pass.Read'] } });
    const secret = ((await created.json()) as { token: string }).token;
    secrets.push(secret);
    expect((await tkv(['key', 'add', 'demo/passes-reader', '--scopes', 'Pass.Read'], secret)).code).toBe(0);
    const run = await tkv(['check', 'demo/passes-reader']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^VALID {2}200 {2}GET .*\/api\/demo\/passes\?pageIndex=0&pageSize=1 .*probe passes/);
    // A key whose scopes no probe can test authenticates (403 on the fallback probe): exit 0 too.
    const other = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'insights', permissions: ['Insights.Read'] } });
    const insights = ((await other.json()) as { token: string }).token;
    secrets.push(insights);
    expect((await tkv(['key', 'add', 'demo/insights', '--scopes', 'Insights.Read'], insights)).code).toBe(0);
    const authenticated = await tkv(['check', 'demo/insights']);
    expect(authenticated.code).toBe(0);
    expect(authenticated.stdout).toMatch(/^AUTHENTICATED {2}403/);
    expect(authenticated.stdout).toMatch(/tkv probe add ID --path '\/api\/\{tenantId\}\/…' --scope Insights.Read/);
    const history = JSON.parse((await tkv(['key', 'history', 'demo/insights', '--json'])).stdout) as { probe: string; verdict: string; status: number }[];
    expect(history).toEqual([expect.objectContaining({ probe: 'config', verdict: 'authenticated', status: 403 })]);
    expect((await tkv(['key', 'history', 'demo/insights'])).stdout).toMatch(/TIME\s+PROBE\s+VERDICT\s+STATUS\s+MS\n\S+\s+config\s+authenticated\s+403/);
    expect((await tkv(['key', 'list', '--tenant', 'demo'])).stdout).toMatch(/demo\/insights .* authenticated on \d{4}-\d{2}-\d{2}/);
    for (const name of ['passes-reader', 'insights']) expect((await tkv(['key', 'remove', `demo/${name}`, '--yes'])).code).toBe(0);
  });

  it('exits 12 for a proxy’s HTML 401: it says nothing about the key', async () => {
    const { startServer } = await import('../../support/servers.ts');
    const gateway = await startServer((_, response) => {
      response.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><body><h1>Sign in to the corporate gateway</h1></body></html>');
    });
    try {
      const run = await tkv(['check', '--base-url', gateway.url, '--tenant-id', 'demo', '--key-stdin'], token);
      expect(run.code).toBe(12);
      expect(run.stdout).toMatch(/^INTERCEPTED {2}401/);
      expect(run.stdout).toMatch(/says nothing about the key/);
    } finally {
      await gateway.close();
    }
  });

  it('replaces {tenantId} in --path', async () => {
    const run = await tkv(['check', '--base-url', sandbox.url, '--tenant-id', 'demo', '--path', '/api/{tenantId}/admin/config', '--key-stdin', '--json'], token);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'valid', request: { url: `${sandbox.url}/api/demo/admin/config` } });
  });

  it('writes a Markdown report for a ticket', async () => {
    const run = await tkv(['check', 'demo/crm', '--probe', 'secrets', '--report', 'md']);
    expect(run.code).toBe(11);
    expect(run.stdout).toMatch(/^# Key check: demo\/crm/);
    expect(run.stdout).toMatch(/\*\*Verdict:\*\* `forbidden`/);
    expect(run.stdout).toMatch(/\*\*Request:\*\* `GET .*\/api\/demo\/secrets`/);
    expect(run.stdout).toMatch(/## Problem details/);
    expect(run.stdout).toMatch(/content-type: application\/problem\+json/);
  });

  it('checks every stored key and prints a summary', async () => {
    expect((await tkv(['check', '--all', '--per-tenant', '0'])).code).toBe(2);
    const run = await tkv(['check', '--all', '--concurrency', '2', '--per-tenant', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Checked 1 of 1 key\./);
    expect(run.stdout).toMatch(/valid\s+1/);
    // No progress bar when stderr is not a terminal (a log file, a pipe).
    expect(run.stderr).not.toContain('\r[');
    // --json: JSON Lines, every line a document: each key's record, then the run's record.
    const json = await tkv(['check', '--all', '--json']);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ keyRef: 'demo/crm', verdict: 'valid' });
    expect(lines[1]).toEqual({ run: { tenant: null, staleWindow: null, total: 1, checked: 1, interrupted: false, byVerdict: { valid: 1 }, problems: [], failures: [] } });
    expect(json.stderr).toMatch(/Checked 1 of 1 key\./);
    // Nothing to check is still a run record, not a sentence on stdout.
    expect((await tkv(['tenant', 'add', 'empty', '--tenant-id', 'empty', '--base-url', sandbox.url])).code).toBe(0);
    const none = await tkv(['check', '--all', '--tenant', 'empty', '--json']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ run: { tenant: 'empty', staleWindow: null, total: 0, checked: 0, interrupted: false, byVerdict: {}, problems: [], failures: [] } });
    expect(none.stderr).toBe('Tenant empty holds no key: there is nothing to check.\n');
    expect((await tkv(['tenant', 'remove', 'empty', '--yes'])).code).toBe(0);
  });

  it('gives a key that could not be checked a line of its own in --json: its error', async () => {
    const gone = canaryToken();
    secrets.push(gone);
    expect((await tkv(['key', 'add', 'demo/gone'], gone)).code).toBe(0);
    const { secretAccount } = JSON.parse((await tkv(['key', 'show', 'demo/gone', '--json'])).stdout) as { secretAccount: string };
    // Deleted from the keychain behind the vault's back: that key's check cannot run, the others' do.
    expect(await new KeytarSecretStore({ service }).delete(secretAccount)).toBe(true);
    try {
      const json = await tkv(['check', '--all', '--json']);
      expect(json.code).toBe(12);
      const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      const byRef = Object.fromEntries(lines.slice(0, 2).map((line) => [line.keyRef, line]));
      expect(byRef['demo/crm']).toMatchObject({ verdict: 'valid' });
      expect(byRef['demo/gone']).toEqual({ keyRef: 'demo/gone', error: expect.stringMatching(/^The keychain is open but holds no secret for demo\/gone .*deleted outside Tenant Key Vault/) });
      expect(lines[2]).toMatchObject({ run: { total: 2, checked: 1, failures: [{ keyRef: 'demo/gone', error: byRef['demo/gone']!.error }] } });
    } finally {
      expect((await tkv(['key', 'remove', 'demo/gone', '--yes'])).code).toBe(0);
    }
  });

  it('draws a progress bar on stderr when it is a terminal, and nothing of it on stdout', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['check', '--all', '--tenant', 'demo'], {
      stdin: Readable.from([]),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { isTTY: true, write: (text: string) => (stderr += text) },
      env,
    });
    outputs.push(stdout, stderr);
    expect(code).toBe(0);
    expect(stderr).toContain(`\r[${'#'.repeat(30)}] 1/1 checked\n`);
    expect(stdout).not.toContain('\r');
    expect(stdout).toMatch(/Checked 1 of 1 key\./);
  });

  it('stops on Ctrl-C, letting the running check finish, and keeps what finished', async () => {
    expect((await tkv(['tenant', 'add', 'slow', '--tenant-id', 'demo', '--base-url', sandbox.url])).code).toBe(0);
    for (let i = 0; i < 5; i += 1) {
      const created = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: `slow-${i}`, permissions: ['tenant.core:read'] } });
      const secret = ((await created.json()) as { token: string }).token;
      secrets.push(secret);
      expect((await tkv(['key', 'add', `slow/k${i}`, '--scopes', 'tenant.core:read'], secret)).code).toBe(0);
    }
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', latencyMs: 300 }] });
    try {
      const child = spawn(process.execPath, [TKV, 'check', '--all', '--tenant', 'slow', '--concurrency', '1', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // One Ctrl-C, after the first record: a second would mean "quit at once".
        if (stdout.includes('\n') && child.exitCode === null && !interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      outputs.push(stdout, stderr);
      const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as { keyRef: string; verdict: string; run?: { interrupted: boolean; checked: number } });
      const printed = records.filter((record) => record.run === undefined);
      // The last line says the run was stopped, and how many checks it kept.
      expect(records.at(-1)!.run).toMatchObject({ interrupted: true, checked: printed.length });
      expect(code).toBe(12);
      expect(stderr).toMatch(/Stopping: letting running checks finish/);
      expect(stderr).toMatch(/Checked \d of 5 keys \(stopped early; finished checks were kept\)/);
      expect(printed.length).toBeGreaterThanOrEqual(1);
      expect(printed.length).toBeLessThan(5);
      // Exactly the checks it printed are in the inventory, with their keys' last verdicts.
      const list = JSON.parse((await tkv(['key', 'list', '--tenant', 'slow', '--json'])).stdout) as { name: string; lastAttempt: string | null }[];
      expect(list.filter((key) => key.lastAttempt !== null).map((key) => `slow/${key.name}`).sort()).toEqual(printed.map((p) => p.keyRef).sort());
    } finally {
      await sandbox.control('DELETE', '/_sandbox/config');
    }
  });

  it('--timeout-ms reaches a stored key\'s check, a bulk run and the server\'s word (the vault opens before the command runs)', async () => {
    // Shorter than the 15 s the client waits by default: a hanging probe ends at the deadline given.
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', hang: true }] });
    try {
      for (const args of [['demo/crm'], ['--all', '--tenant', 'demo']]) {
        const started = performance.now();
        const run = await tkv(['check', ...args, '--timeout-ms', '700']);
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(run.code).toBe(12);
        expect(`${run.stdout}${run.stderr}`).toMatch(/No complete answer within the 0\.7 s deadline|The server did not start answering in time/);
      }
    } finally {
      await sandbox.control('DELETE', '/_sandbox/config');
    }
    // The server's word (the admin API's lookup of a refused key) waits as long as the check may.
    const created = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'off', permissions: ['tenant.core:read'], enabled: false } });
    const off = ((await created.json()) as { token: string }).token;
    secrets.push(off);
    expect((await tkv(['key', 'add', 'demo/off', '--scopes', 'tenant.core:read', '--remote-name', 'off'], off)).code).toBe(0);
    expect((await tkv(['key', 'add', 'demo/admin', '--admin'], sandbox.adminKey('demo'))).code).toBe(0);
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/apiKeys/*', hang: true }] });
    try {
      const started = performance.now();
      const refused = await tkv(['check', 'demo/off', '--timeout-ms', '700']);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(refused.code).toBe(10);
      expect(refused.stdout).toMatch(/server's word: the lookup failed: .*(0\.7 s deadline|did not start answering in time)/);
      // What would let it be asked is the next step; the reason is not said twice.
      expect(refused.stdout).toContain("  - The admin API did not answer this time: check demo/off again later for the server's word on it. The key's own answer above stands.\n      tkv check demo/off\n");
      expect(refused.stdout).not.toContain('could not ask the server');
    } finally {
      await sandbox.control('DELETE', '/_sandbox/config');
      await tkv(['key', 'remove', 'demo/off', '--yes']);
      await tkv(['key', 'remove', 'demo/admin', '--yes']);
    }
  });

  it('a replacement the server cannot judge now is not confirmed, and not refused: the entry keeps its key', async () => {
    const created = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'crm-next', permissions: ['tenant.core:read'] } });
    const next = ((await created.json()) as { token: string }).token;
    secrets.push(next);
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', failureRate: 1 }] });
    try {
      const replaced = await tkv(['key', 'replace', 'demo/crm'], next);
      expect(replaced.code).toBe(1);
      expect(replaced.stderr).toMatch(/^tkv: The new key could not be confirmed \(server_error, 500\): The server failed \(500\); this says nothing about the key\. demo\/crm keeps the key it had; run this again when the server answers\./m);
      // A Wallet Crew key: no word of Airwallex's regenerating.
      expect(replaced.stderr).not.toContain('Regenerating');
    } finally {
      await sandbox.control('DELETE', '/_sandbox/config');
    }
    expect((await tkv(['check', 'demo/crm'])).code).toBe(0);
  });

  it('shows the key in no output and no file', async () => {
    const all = outputs.join('\n');
    expect(secrets.length).toBeGreaterThan(1);
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      expect(filesContaining([dataDir], secret)).toEqual([]);
    }
  });
});

describe('tkv probe', () => {
  it('lists the catalogue and adds, uses and removes a custom GET probe', async () => {
    expect((await tkv(['probe', 'list'])).stdout).toMatch(/config\s+GET \/api\/\{tenantId\}\/admin\/config\s+tenant\.core:read\s+none/);
    expect((await tkv(['probe', 'add', 'stores', '--path', '/api/{tenantId}/stores', '--scope', 'Stores.Read'])).code).toBe(0);
    expect((await tkv(['probe', 'add', 'writer', '--path', '/api/{tenantId}/passes', '--method', 'POST'])).code).toBe(2);
    expect((await tkv(['check', 'demo/crm', '--probe', 'stores'])).code).toBe(11);
    expect((await tkv(['probe', 'remove', 'stores'])).code).toBe(0);
    expect((await tkv(['probe', 'remove', 'config'])).code).toBe(1);
  });

  it('lists the probes where no keychain answers: listing them reads no secret', async () => {
    const fresh = scratchDir('cli-probe-no-keychain');
    try {
      // A machine with no Secret Service (a server, a container): the session bus leads nowhere.
      const noKeychain = { ...env, TKV_DATA_DIR: fresh, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', TKV_KEYCHAIN_TIMEOUT_MS: '3000' };
      const listed = await runTkv(['probe', 'list'], { env: noKeychain });
      outputs.push(listed.stdout, listed.stderr);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/config\s+GET \/api\/\{tenantId\}\/admin\/config\s+tenant\.core:read\s+none/);
      // Adding one of your own still goes through the vault's guard, which asks the keychain.
      const added = await runTkv(['probe', 'add', 'stores', '--path', '/api/{tenantId}/stores'], { env: noKeychain });
      outputs.push(added.stdout, added.stderr);
      expect(added.code).toBe(1);
      expect(added.stderr).toMatch(/The OS keychain is unavailable/);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
