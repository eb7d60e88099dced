// The app's door against a server that echoes every secret in play: every channel that talks to a
// server (server keys, the permission catalogue, checks, the scope matrix, a bulk job, rotation jobs,
// the review and the audit log) is called through the real IPC router, with the server failing in
// between; then each secret the server saw is searched, in every encoding, in every IPC result and
// every event the window would have received, and in every file of the data directory.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryClipboard } from '../../../src-main/core/clipboard.ts';
import { SecretClipboard } from '../../../src-main/core/keys/secret-clipboard.ts';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { RecentResults } from '../../../src-main/ipc/ipc-context.ts';
import { registerIpcRouter } from '../../../src-main/ipc/router.ts';
import type { Result } from '../../../src-main/shared/errors.ts';
import { containsSecret, filesContaining, scratchDir } from '../../support/files.ts';
import { startHostileServer, type HostileServer } from '../../support/hostile.ts';
import { appPage } from '../../../src-main/ipc/sender.ts';
import { appFrame, frameEvent, InProcessIpcMain } from '../../support/in-process-ipc.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const mainFrame = appFrame();
const service = uniqueService('hostile-ipc');
const dataDir = scratchDir('hostile-ipc');
const ipc = new InProcessIpcMain();
/** Every result and event the window would have received, as JSON. */
const received: string[] = [];
let services: Services;
let sandbox: TestSandbox;
let hostile: HostileServer;
const PASTED = 'a-pasted-key-long-enough-to-be-echoed-0123456789';

async function call<T = unknown>(channel: string, input?: unknown): Promise<Result<T>> {
  const result = (await ipc.invoke(channel, frameEvent(mainFrame), input)) as Result<T>;
  received.push(JSON.stringify(result));
  return result;
}

/** Waits for a job's end event, which the window receives too. */
async function jobEnd(id: string): Promise<{ state: string }> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const job = services.jobs.list().find((candidate) => candidate.id === id);
    if (job && job.state !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} did not end`);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  hostile = await startHostileServer(sandbox.url);
  const emit = (event: string, payload: unknown) => received.push(JSON.stringify([event, payload]));
  services = createServices({ actor: 'app', holdUnsavedTokens: true, env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, emitJobEvent: emit });
  const clipboard = new MemoryClipboard();
  registerIpcRouter(
    ipc,
    { services, info: { version: 'test', dataDir, keychainService: service, platform: process.platform }, emit, clipboard, secretClipboard: new SecretClipboard(clipboard), results: new RecentResults(), saveFile: async () => null },
    { page: appPage(), ownFrames: () => [mainFrame] },
  );
  expect(await call('tenants:add', { alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: hostile.url })).toMatchObject({ ok: true });
  expect(await call('keys:add', { tenant: 'demo', name: 'admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true })).toMatchObject({ ok: true });
});

afterAll(async () => {
  await services.close();
  await hostile.close();
  await sandbox.dispose();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the IPC router against a server that echoes every secret', () => {
  it('server keys, the catalogue and their failures', async () => {
    expect(await call('server:list', { tenant: 'demo' })).toMatchObject({ ok: true, value: { live: true } });
    expect(await call('server:permissions', { tenant: 'demo' })).toMatchObject({ ok: true });
    expect(await call('server:create', { tenant: 'demo', name: 'crm', permissions: ['tenant.core:read', 'Pass.Read'], enabled: true })).toMatchObject({ ok: true, value: { stored: true } });
    for (const [route, status] of [['GET /api/demo/admin/apiKeys', 500], ['GET /api/demo/admin/apiKeys', 401], ['GET /api/demo/admin/permissions', 403]] as const) {
      hostile.fail(route, status);
      await call('server:list', { tenant: 'demo' });
      await call('server:permissions', { tenant: 'demo' });
      hostile.reset();
    }
    hostile.fail('POST /api/demo/admin/apiKeys', 400);
    expect(await call('server:create', { tenant: 'demo', name: 'refused', permissions: ['Pass.Read'], enabled: true })).toMatchObject({ ok: false });
    hostile.reset();
    hostile.fail('PUT /api/demo/admin/apiKeys/crm', 500);
    expect(await call('server:update', { tenant: 'demo', name: 'crm', enabled: false })).toMatchObject({ ok: false });
    hostile.reset();
  });

  it('checks, the scope matrix, a pasted key and a bulk job', async () => {
    for (const status of [401, 403, 500, 302]) {
      hostile.fail('GET /api/demo/admin/config', status);
      expect(await call('checks:run', { key: { tenant: 'demo', name: 'crm' }, probe: 'config' })).toMatchObject({ ok: true });
      hostile.reset();
    }
    expect(await call('checks:run', { key: { tenant: 'demo', name: 'crm' } })).toMatchObject({ ok: true });
    expect(await call('checks:matrix', { key: { tenant: 'demo', name: 'crm' } })).toMatchObject({ ok: true });
    expect(await call('checks:paste', { baseUrl: hostile.url, tenantId: 'demo', secret: PASTED })).toMatchObject({ ok: true });
    // A pasted key is in play for its one check only: the vault never holds it, so no later operation
    // could know to look for it. The server stops echoing it; it is still searched for at the end.
    hostile.forget(PASTED);
    const bulk = await call<{ id: string }>('checks:start-bulk', {});
    expect(bulk.ok).toBe(true);
    if (bulk.ok) await jobEnd(bulk.value.id);
    expect(await call('jobs:list')).toMatchObject({ ok: true });
  });

  it('rotation jobs broken by the server, then carried through', async () => {
    hostile.fail('POST /api/demo/admin/apiKeys', 500);
    const failed = await call<{ id: string }>('rotations:start', { key: { tenant: 'demo', name: 'crm' } });
    if (failed.ok) expect((await jobEnd(failed.value.id)).state).toBe('failed');
    hostile.reset();
    await call('rotations:list');
    const aborted = await call<{ id: string }>('rotations:abort', { key: { tenant: 'demo', name: 'crm' } });
    if (aborted.ok) await jobEnd(aborted.value.id);
    const started = await call<{ id: string }>('rotations:start', { key: { tenant: 'demo', name: 'crm' } });
    expect(started.ok).toBe(true);
    if (started.ok) expect((await jobEnd(started.value.id)).state).toBe('done');
    expect(await call('rotations:check-both', { key: { tenant: 'demo', name: 'crm' } })).toMatchObject({ ok: true });
    hostile.fail('PUT /api/demo/admin/apiKeys', 500);
    const broken = await call<{ id: string }>('rotations:finish', { key: { tenant: 'demo', name: 'crm' }, retire: 'disable' });
    if (broken.ok) expect((await jobEnd(broken.value.id)).state).toBe('failed');
    hostile.reset();
    const finished = await call<{ id: string }>('rotations:resume', { key: { tenant: 'demo', name: 'crm' } });
    if (finished.ok) expect((await jobEnd(finished.value.id)).state).toBe('done');
    expect(await call('rotations:list')).toMatchObject({ ok: true });
  });

  it('no secret the server saw is in any IPC result, event or file', async () => {
    // What the window reads afterwards: the review, the log, a key's detail, the server list.
    await call('review:report', {});
    await call('audit:list', { query: {}, offset: 0, limit: 500 });
    await call('keys:detail', { tenant: 'demo', name: 'crm' });
    await call('keys:page', { query: {}, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 100 });
    await call('server:list', { tenant: 'demo' });
    expect(hostile.secrets.size).toBeGreaterThanOrEqual(3); // the admin key, crm's old and new tokens
    for (const secret of [...hostile.secrets, PASTED]) {
      const carrying = received.filter((payload) => containsSecret(payload, secret));
      expect(carrying.map((payload) => payload.slice(0, 200)), `a secret in ${carrying.length} IPC payload(s)`).toEqual([]);
      expect(filesContaining([dataDir], secret)).toEqual([]);
    }
    // The trace id is not a secret: it reaches the window, for the vendor's support.
    expect(received.some((payload) => payload.includes('4bf92f3577b34da6a3ce929d0e0e4736'))).toBe(true);
  });
});
