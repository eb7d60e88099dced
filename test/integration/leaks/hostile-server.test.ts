// A server that echoes every secret in play, in every form, in everything it answers: the real tkv,
// run as a person would, must print, store, journal and audit none of them. Each secret is then
// searched in every byte the run wrote (data dir with WAL and SHM, every stdout and stderr, every
// --json and --report md), in every encoding, and in what every output decodes to (percent, JSON and
// HTML escapes of every character, wrapped base64, hex of either case).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { runTkv, type CliRun } from '../../support/cli.ts';
import { revealsSecret } from '../../support/escapes.ts';
import { allFiles, containsSecret, scratchDir } from '../../support/files.ts';
import { startHostileServer, type HostileServer } from '../../support/hostile.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const dataDir = scratchDir('hostile');
const service = uniqueService('hostile');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
const runs: { args: string[]; run: CliRun }[] = [];
let sandbox: TestSandbox;
let hostile: HostileServer;
const PASTED = 'pasted-key-that-is-long-enough-to-matter-0123456789';
/** What the server learnt from the Airwallex checks: the key and each bearer token its logins gave. */
const airwallexSecrets = new Set<string>();

async function tkv(args: string[], stdin?: string): Promise<CliRun> {
  const run = await runTkv(args, { env, ...(stdin === undefined ? {} : { stdin }), timeoutMs: 30_000 });
  runs.push({ args, run });
  return run;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  hostile = await startHostileServer(sandbox.url);
  expect((await tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', hostile.url])).code).toBe(0);
  expect((await tkv(['key', 'add', 'demo/admin', '--admin', '--scopes', '*'], sandbox.adminKey('demo'))).code).toBe(0);
});

afterAll(async () => {
  await hostile.close();
  await sandbox.dispose();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('against a server that echoes every secret', () => {
  it('admin calls fail with the server’s words, and none of its secrets', async () => {
    // The list succeeds, with extra keys named after the admin key in every form; the snapshot keeps them redacted.
    const listed = await tkv(['remote', 'list', 'demo', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { keys: { name: string }[] }).keys.map((key) => key.name)).toContain('[redacted]');
    expect((await tkv(['remote', 'list', 'demo'])).code).toBe(0);
    expect((await tkv(['remote', 'list', 'demo', '--offline'])).code).toBe(0);
    for (const [route, status] of [['GET /api/demo/admin/apiKeys', 500], ['GET /api/demo/admin/apiKeys', 401]] as const) {
      hostile.fail(route, status);
      const failed = await tkv(['remote', 'list', 'demo']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(status === 401 ? /was refused \(401\)/ : /The server failed \(500\)/);
      hostile.reset();
    }
    hostile.fail('POST /api/demo/admin/apiKeys', 400);
    const refused = await tkv(['remote', 'create', 'demo/refused', '--scopes', 'Pass.Read', '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('[redacted]') } });
    hostile.reset();
    const created = await tkv(['remote', 'create', 'demo/crm', '--scopes', 'tenant.core:read,Pass.Read']);
    expect(created.code, created.stderr).toBe(0);
    hostile.fail('PUT /api/demo/admin/apiKeys/crm', 500);
    expect((await tkv(['remote', 'update', 'demo/crm', '--disable'])).code).toBe(1);
    hostile.reset();
  });

  it('a rotation that the server breaks at every step records its errors without a secret', async () => {
    hostile.fail('POST /api/demo/admin/apiKeys', 500);
    expect((await tkv(['rotate', 'demo/crm'])).code).toBe(1);
    hostile.reset();
    expect((await tkv(['rotate', '--status', '--json'])).code).toBe(0);
    expect((await tkv(['rotate', 'demo/crm', '--journal', '--json'])).code).toBe(0);
    hostile.fail('DELETE /api/demo/admin/apiKeys', 500);
    expect((await tkv(['rotate', 'demo/crm', '--abort'])).code).toBe(1);
    hostile.reset();
    expect((await tkv(['rotate', 'demo/crm', '--abort'])).code).toBe(0);
    const started = await tkv(['rotate', 'demo/crm']);
    expect(started.code, started.stderr).toBe(0);
    hostile.fail('PUT /api/demo/admin/apiKeys/crm', 500);
    hostile.fail('GET /api/demo/admin/apiKeys/crm', 502);
    expect((await tkv(['rotate', 'demo/crm', '--finish'])).code).toBe(1);
    const status = await tkv(['rotate', '--status', '--json']);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ step: 'retire', lastError: expect.stringMatching(/502/) })]);
    expect((await tkv(['rotate', 'demo/crm', '--journal'])).code).toBe(0);
    hostile.reset();
    expect((await tkv(['rotate', 'demo/crm', '--resume'])).code).toBe(0);
  });

  it('checks judge the key by the status alone, keep the trace id, and show no secret', async () => {
    const cases = [
      [401, 'unauthorized', 10],
      [403, 'forbidden', 11],
      [500, 'server_error', 12],
      [302, 'redirected', 12],
    ] as const;
    for (const [status, verdict, code] of cases) {
      hostile.fail('GET /api/demo/admin/config', status);
      const checked = await tkv(['check', 'demo/crm', '--json']);
      expect(checked.code, checked.stderr).toBe(code);
      const result = JSON.parse(checked.stdout) as { verdict: string; problem: { detail: string; traceId: string | null } | null; evidence: { bodyExcerpt: string | null } };
      expect(result.verdict).toBe(verdict);
      if (status !== 302) expect(result.problem?.detail).toContain('[redacted]');
      // The first secret the server saw starts 8 characters before the excerpt's end: redacted before the cut, nothing of it is left.
      expect(result.evidence.bodyExcerpt).not.toContain([...hostile.secrets][0]!.slice(0, 8));
      if (status !== 302) expect(result.problem?.traceId).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      const report = await tkv(['check', 'demo/crm', '--report', 'md']);
      expect(report.stdout).toContain('4bf92f3577b34da6a3ce929d0e0e4736');
      expect((await tkv(['check', 'demo/crm'])).code).toBe(code);
    }
    hostile.reset();
    hostile.fail('GET /api/demo/passes', 403);
    const matrix = await tkv(['check', 'demo/crm', '--scopes-matrix', '--json']);
    expect(matrix.code, matrix.stderr).toBe(11);
    expect((await tkv(['check', 'demo/crm', '--scopes-matrix', '--report', 'md'])).code).toBe(11);
    hostile.reset();
    hostile.fail('GET /api/demo/admin/config', 401);
    expect((await tkv(['check', '--all', '--json'])).code).toBe(10);
    expect((await tkv(['check', '--all'])).code).toBe(10);
    // A pasted key, echoed back in the same ways.
    const pasted = await tkv(['check', '--base-url', hostile.url, '--tenant-id', 'demo', '--key-stdin', '--report', 'md'], PASTED);
    expect(pasted.code).toBe(10);
    hostile.reset();
    // No later operation holds a key pasted once, so none could know to redact it: the server stops
    // echoing it (the last test still searches every output for it).
    hostile.forget(PASTED);
    expect((await tkv(['key', 'history', 'demo/crm', '--json'])).code).toBe(0);
  });

  it('an Airwallex check, refused at its login and at its probe, shows neither the key nor a bearer token', async () => {
    const client = (await (await sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['balances:read'], accounts: ['acct_main'] })).json()) as { clientId: string; apiKey: string };
    const known = new Set(hostile.secrets);
    // Each check logs in for a token of its own; no later operation holds it, as with a pasted key.
    const forgetTokens = () => {
      for (const secret of hostile.secrets) {
        if (known.has(secret)) continue;
        airwallexSecrets.add(secret);
        if (secret !== client.apiKey) hostile.forget(secret);
      }
    };
    expect((await tkv(['tenant', 'add', 'payments', '--tenant-id', 'acct_main', '--base-url', hostile.url, '--provider', 'airwallex', '--client-id', client.clientId])).code).toBe(0);
    expect((await tkv(['key', 'add', 'payments/treasury', '--scopes', 'balances:read'], client.apiKey)).code).toBe(0);
    // A good login, then the probe refused: the token is echoed with the key.
    hostile.fail('GET /api/v1/balances/current', 403);
    const refused = await tkv(['check', 'payments/treasury', '--json']);
    expect(refused.code, refused.stderr).toBe(11);
    expect(JSON.parse(refused.stdout)).toMatchObject({ verdict: 'forbidden', problem: { detail: expect.stringContaining('[redacted]') } });
    forgetTokens();
    expect((await tkv(['check', 'payments/treasury', '--report', 'md'])).code).toBe(11);
    forgetTokens();
    hostile.reset();
    // The login itself refused, echoing the key it was sent.
    hostile.fail('POST /api/v1/authentication/login', 401);
    const login = await tkv(['check', 'payments/treasury', '--json']);
    expect(login.code, login.stderr).toBe(10);
    expect((await tkv(['check', '--all', '--json'])).code).not.toBe(0);
    hostile.reset();
    forgetTokens();
    expect(airwallexSecrets.has(client.apiKey)).toBe(true);
    expect(airwallexSecrets.size).toBeGreaterThanOrEqual(2);
  });

  it('leaves no secret in any byte written: data dir (WAL and SHM too), outputs, reports', async () => {
    const keychain = new KeytarSecretStore({ service });
    const inKeychain = await Promise.all((await keychain.listAccounts()).map((account) => keychain.get(account)));
    const secrets = new Set([...hostile.secrets, ...inKeychain.filter((value): value is string => value !== null), sandbox.adminKey('demo'), PASTED, ...airwallexSecrets]);
    // The admin key, the entry's first token and the one its rotation made, the pasted key, and the
    // Airwallex key with its bearer tokens.
    expect(secrets.size).toBe(4 + airwallexSecrets.size);
    const files = allFiles(dataDir);
    expect(files.map((file) => file.slice(dataDir.length))).toEqual(expect.arrayContaining(['/inventory.sqlite']));
    const leaks: string[] = [];
    for (const secret of secrets) {
      for (const file of files) if (containsSecret(fs.readFileSync(file), secret) || revealsSecret(fs.readFileSync(file), secret)) leaks.push(`${file} holds ${secret.slice(0, 6)}…`);
      for (const { args, run } of runs) {
        for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
          // A fragment of 16 characters is as bad as the whole key, however the output encodes it.
          if (containsSecret(text, secret) || text.includes(secret.slice(0, 16)) || text.includes(secret.slice(-16)) || revealsSecret(text, secret, 16)) leaks.push(`tkv ${args.join(' ')} ${stream} holds ${secret.slice(0, 6)}…`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
