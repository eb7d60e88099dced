// tkv check end to end: the real executable against the sandbox, with the real keychain.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTkv } from '../../support/cli.ts';
import { filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const service = uniqueService('cli-check');
const dataDir = scratchDir('cli-check');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const outputs: string[] = [];
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
    const run = await tkv(['check', '--all', '--concurrency', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Checked 1 of 1 key\(s\)/);
    expect(run.stdout).toMatch(/valid\s+1/);
    const json = await tkv(['check', '--all', '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n')[0]!)).toMatchObject({ keyRef: 'demo/crm', verdict: 'valid' });
  });

  it('shows the key in no output and no file', async () => {
    const all = outputs.join('\n');
    expect(all).not.toContain(token);
    expect(filesContaining([dataDir], token)).toEqual([]);
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
});
