// The sandbox's state on disk: hashes only, serialized atomic writes, and restarts that keep it.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src-main/core/sandbox/tenant-state.ts';
import { allFiles, scratchDir } from '../../support/files.ts';
import { TKV } from '../../support/cli.ts';
import { startTestSandbox } from '../../support/sandbox.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
function stateDir(): string {
  const dir = scratchDir('sandbox-state');
  dirs.push(dir);
  return dir;
}

describe('sandbox state', () => {
  it('loses nothing under 50 concurrent creates, and keeps only hashes in security.yml', async () => {
    const dir = stateDir();
    const sandbox = await startTestSandbox({ stateDir: dir, tenants: ['demo'] });
    try {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey(), body: { name: `key-${i}`, permissions: ['tenant.core:read'] } })),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
      const tokens = await Promise.all(responses.map(async (response) => ((await response.json()) as { token: string }).token));
      const file = YAML.parse(fs.readFileSync(path.join(dir, 'tenants/demo/security.yml'), 'utf8')) as { apiKeys: { name: string; hash: string }[] };
      expect(file.apiKeys).toHaveLength(51);
      expect(new Set(file.apiKeys.map((key) => key.name)).size).toBe(51);
      expect(file.apiKeys.find((key) => key.name === 'key-7')!.hash).toBe(hashToken(tokens[7]!));
      for (const token of tokens.slice(0, 5)) expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(200);
      // No created token is anywhere on disk; no temp file is left behind.
      const everything = allFiles(dir).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      expect(tokens.filter((token) => everything.includes(token))).toEqual([]);
      expect(allFiles(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await sandbox.dispose();
    }
  });

  it('keeps tenants, keys and admin keys across a restart with the same state directory', async () => {
    const dir = stateDir();
    const first = await startTestSandbox({ stateDir: dir, tenants: ['demo', 'acme'] });
    const created = (await (await first.call('POST', '/api/acme/admin/apiKeys', { key: first.adminKey('acme'), body: { name: 'kept', permissions: ['Pass.Read'] } })).json()) as { token: string };
    await first.dispose();
    const second = await startTestSandbox({ stateDir: dir, tenants: ['demo'] });
    try {
      expect(second.tenants).toEqual(first.tenants);
      expect((await second.call('GET', '/api/acme/passes', { key: created.token })).status).toBe(200);
      expect((await second.call('GET', '/api/acme/admin/apiKeys/kept', { key: second.adminKey('acme') })).status).toBe(200);
      expect(second.controlToken).not.toBe(first.controlToken);
    } finally {
      await second.dispose();
    }
  });

  it('tkv sandbox prints exactly one JSON line, serves, and exits 0 on SIGTERM', async () => {
    const dir = stateDir();
    const run = () =>
      new Promise<{ line: string; code: number | null; lines: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [TKV, 'sandbox', '--json', '--state-dir', dir, '--tenants', 'demo,acme'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', async (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.endsWith('\n')) {
            const info = JSON.parse(stdout) as { url: string; tenants: { tenantId: string; adminKey: string }[] };
            const demo = info.tenants.find((t) => t.tenantId === 'demo')!;
            const ok = await fetch(`${info.url}/api/demo/admin/apiKeys`, { headers: { 'X-API-KEY': demo.adminKey } });
            if (ok.status !== 200) reject(new Error(`sandbox answered ${ok.status}`));
            child.kill('SIGTERM');
          }
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ line: stdout, code, lines: stdout.split('\n').filter(Boolean).length }));
      });
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.lines).toBe(1);
    const info = JSON.parse(first.line) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['controlToken', 'tenants', 'url']);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.tenants).toEqual([
      { tenantId: 'acme', adminKeyName: 'sandbox-admin', adminKey: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) },
      { tenantId: 'demo', adminKeyName: 'sandbox-admin', adminKey: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) },
    ]);
    const second = await run();
    expect((JSON.parse(second.line) as { tenants: unknown }).tenants).toEqual(info.tenants);
  });

  it('warns loudly when asked to listen beyond loopback', async () => {
    const child = spawn(process.execPath, [TKV, 'sandbox', '--host', '0.0.0.0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/WARNING: the sandbox is listening on 0\.0\.0\.0, not on loopback/);
  });
});
