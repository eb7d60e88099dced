// The IPC router under plain Node, with the real vault: real keychain, SQLite in a temp dir.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../src-main/core/db/migrations/index.ts';
import { MemoryClipboard } from '../../../src-main/core/clipboard.ts';
import { SecretClipboard } from '../../../src-main/core/keys/secret-clipboard.ts';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { RecentResults } from '../../../src-main/ipc/ipc-context.ts';
import { registerIpcRouter } from '../../../src-main/ipc/router.ts';
import { CHANNELS, type Channel } from '../../../src-main/shared/contract.ts';
import type { Result } from '../../../src-main/shared/errors.ts';
import { canaryToken, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { appPage } from '../../../src-main/ipc/sender.ts';
import { appFrame, frameEvent, InProcessIpcMain } from '../../support/in-process-ipc.ts';
import { WebFrameStandIn } from '../../support/web-frame.ts';

const ORIGIN = 'app://tenant-key-vault';
/** The top frame of the app's window. */
const mainFrame = appFrame();
const service = uniqueService('ipc');
const dataDir = scratchDir('ipc');
const ipc = new InProcessIpcMain();
const events: [string, unknown][] = [];
const logged: string[] = [];
let context: Services;
const clipboard = new MemoryClipboard();

function call(channel: string, ...args: unknown[]): Promise<Result<unknown>> {
  return ipc.invoke(channel, frameEvent(mainFrame), ...args) as Promise<Result<unknown>>;
}

/** Everything a payload could change: rows of every table and the keychain's accounts. */
async function snapshot(): Promise<string> {
  const db = context.db.raw;
  const tables = ['tenants', 'keys', 'audit_log'].map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all());
  return JSON.stringify([tables, (await context.secrets.listAccounts()).sort()]);
}

beforeAll(() => {
  const emit = (event: string, payload: unknown) => events.push([event, payload]);
  context = createServices({ actor: 'app', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, emitJobEvent: emit });
  registerIpcRouter(
    ipc,
    { services: context, info: { version: '0.0.0-test', dataDir, keychainService: service, platform: process.platform }, emit, clipboard, secretClipboard: new SecretClipboard(clipboard), results: new RecentResults(), saveFile: async () => null },
    { page: appPage(), ownFrames: () => [mainFrame], log: (message) => logged.push(message) },
  );
});
afterAll(async () => {
  await context.close();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('IPC router', () => {
  it('registers exactly the contract channels', () => {
    expect(ipc.channels().sort()).toEqual([...CHANNELS].sort());
  });

  it('serves the vault through Results, and announces changes', async () => {
    const token = canaryToken();
    expect(await call('tenants:add', { alias: 'acme', tenantId: 'acme', environment: 'staging' })).toMatchObject({ ok: true, value: { alias: 'acme', baseUrl: 'https://app-qa.neostore.cloud' } });
    // Each change is announced by the service that made it, relayed once its turn of the event loop is over.
    await expect.poll(() => events).toEqual([['vault:changed', { reason: 'tenant added' }]]);
    const added = await call('keys:add', { tenant: 'acme', name: 'crm', secret: token, scopes: ['Pass.Read'] });
    expect(added).toMatchObject({ ok: true, value: { tenant: 'acme', name: 'crm', scopes: ['Pass.Read'] } });
    await expect.poll(() => events.map(([, payload]) => payload)).toEqual([{ reason: 'tenant added' }, { reason: 'key added' }]);

    // No channel but the explicit reveal returns the token.
    const outputs = await Promise.all([call('app:info'), call('tenants:list'), call('keys:page', { query: {}, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 50 }), call('keys:detail', { tenant: 'acme', name: 'crm' }), call('app:scopes'), call('vault:reconcile')]);
    for (const output of [added, ...outputs]) {
      expect(output.ok).toBe(true);
      expect(JSON.stringify(output)).not.toContain(token);
    }
    expect(outputs[0]).toMatchObject({ ok: true, value: { version: '0.0.0-test', schemaVersion: SCHEMA_VERSION, keychainService: service } });
    expect(await call('keys:reveal', { tenant: 'acme', name: 'crm' })).toEqual({ ok: true, value: { secret: token } });
    expect(filesContaining([dataDir], token)).toEqual([]);
  });

  it('turns service failures into typed errors', async () => {
    expect(await call('keys:reveal', { tenant: 'acme', name: 'nope' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/No key acme\/nope/), remedies: [{ code: 'list-keys', tenant: 'acme' }] },
    });
    expect(await call('tenants:add', { alias: 'bad alias', tenantId: 'x', environment: 'production' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('tenants:remove', { alias: 'acme' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('rejects malformed, oversized and wrong-typed payloads on every channel with INVALID_INPUT, writing nothing', async () => {
    const huge = 'x'.repeat(1_000_000);
    const common: unknown[] = [42, 'text', null, [], true, { unexpected: 1 }];
    const perChannel: Record<Channel, unknown[]> = {
      'app:info': [{}, 'x', 0],
      'tenants:list': [{}, [1]],
      'tenants:add': [
        {},
        { alias: 'a', tenantId: 'a' },
        { alias: 'a', tenantId: 'a', environment: 'moon' },
        { alias: 1, tenantId: 'a', environment: 'production' },
        { alias: huge, tenantId: 'a', environment: 'production' },
        { alias: 'a', tenantId: 'a', environment: 'custom', baseUrl: huge },
        { alias: 'a', tenantId: 'a', environment: 'production', label: huge },
        { alias: 'a', tenantId: 'a', environment: 'production', extra: true },
      ],
      'tenants:remove': [{}, { alias: 'acme', withKeys: 'yes' }, { alias: huge }],
      'app:scopes': [{}, 'x'],
      'keys:add': [
        {},
        { tenant: 'acme', name: 'n' },
        { tenant: 'acme', name: 'n', secret: 123 },
        { tenant: 'acme', name: 'n', secret: huge },
        { tenant: 'acme', name: 'n', secret: 's', scopes: 'Pass.Read' },
        { tenant: 'acme', name: 'n', secret: 's', scopes: Array.from({ length: 5000 }, () => 'a') },
        { tenant: 'acme', name: 'n', secret: 's', notes: huge },
        { tenant: 'acme', name: 'n', secret: 's', admin: 'true' },
        { tenant: 'acme', name: 'n', secret: 's', expiresOn: huge },
      ],
      'keys:reveal': [{}, { tenant: 'acme' }, { tenant: 'acme', name: ['crm'] }],
      'keys:remove': [{}, { tenant: 'acme', name: 7 }, { tenant: 'acme', name: 'crm', force: true }],
      'keys:replace': [{}, { tenant: 'acme', name: 'crm' }, { tenant: 'acme', name: 'crm', secret: '' }, { tenant: 'acme', name: 'crm', secret: huge }, { tenant: 'acme', name: 'crm', secret: 'x'.repeat(32), extra: 1 }],
      'vault:reconcile': [{}, 'all'],
      'checks:probes': [{}, 'x'],
      'checks:run': [{}, { key: { tenant: 'acme' } }, { key: { tenant: 'acme', name: 'crm' }, probe: huge }, { key: { tenant: 'acme', name: 'crm' }, extra: 1 }],
      'checks:paste': [
        {},
        { tenantId: 'acme', secret: 's' },
        { environment: 'moon', tenantId: 'acme', secret: 's' },
        { environment: 'staging', tenantId: 'acme', secret: huge },
        { environment: 'staging', tenantId: 'acme', secret: 's', auth: { kind: 'cookie' } },
        { environment: 'staging', tenantId: 'acme', secret: 's', auth: { kind: 'header', name: huge } },
      ],
      'checks:matrix': [{}, { key: 'acme/crm' }],
      'checks:start-bulk': [{ concurrency: 0 }, { concurrency: 1000 }, { perTenant: 1.5 }, { tenant: huge }],
      'checks:copy-report': [{}, { id: 'not-a-uuid' }, { id: 5 }],
      'jobs:list': [{}, 1],
      'jobs:cancel': [{}, { id: 'x' }],
      'keys:page': [{}, { query: {}, sort: { column: 'name', direction: 'asc' }, offset: -1, limit: 10 }, { query: { judgement: 'great' }, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 10 }, { query: {}, sort: { column: 'secret', direction: 'asc' }, offset: 0, limit: 10 }, { query: { search: huge }, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 10 }, { query: {}, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 100_000 }],
      'keys:count': [{}, { query: { tenant: huge } }, { query: { expiry: 'soon' } }],
      'keys:detail': [{}, { tenant: 'acme' }],
      'keys:position': [{}, { key: { tenant: 'acme', name: 'crm' } }, { key: { tenant: 'acme', name: 'crm' }, query: {}, sort: { column: 'name', direction: 'up' } }],
      'keys:edit': [{}, { tenant: 'acme', name: 'crm' }, { tenant: 'acme', name: 'crm', changes: { notes: huge } }, { tenant: 'acme', name: 'crm', changes: { secret: 'x' } }, { tenant: 'acme', name: 'crm', changes: { scopes: 'a' } }],
      'keys:copy': [{}, { tenant: 'acme', name: 5 }],
      'server:list': [{}, { tenant: huge }, { tenant: 'acme', offline: true }],
      'server:permissions': [{}, { tenant: 7 }],
      'server:create': [{}, { tenant: 'acme', name: 'n' }, { tenant: 'acme', name: 'n', permissions: 'Pass.Read', enabled: true }, { tenant: 'acme', name: huge, permissions: ['Pass.Read'], enabled: true }, { tenant: 'acme', name: 'n', permissions: ['Pass.Read'], enabled: 'yes' }],
      'server:update': [{}, { tenant: 'acme' }, { tenant: 'acme', name: 'n', enabled: 1 }, { tenant: 'acme', name: 'n', permissions: [huge] }],
      'server:delete': [{}, { tenant: 'acme', name: ['n'] }],
      'server:set-bearer': [{}, { tenant: 'acme', token: huge, expiresAt: null }, { tenant: 'acme', token: 'x' }],
      'server:unsaved': [{}, 'x'],
      'server:copy-unsaved': [{}, { id: 'not-a-uuid' }],
      'server:forget-unsaved': [{}, { id: 5 }],
      'rotations:list': [{}, 1],
      'rotations:plan': [{}, { key: 'acme/crm' }],
      'rotations:start': [{}, { key: { tenant: 'acme', name: 'crm' }, newName: huge }, { key: { tenant: 'acme', name: 'crm' }, extra: 1 }],
      'rotations:resume': [{}, { key: { tenant: 'acme' } }],
      'rotations:finish': [{}, { key: { tenant: 'acme', name: 'crm' } }, { key: { tenant: 'acme', name: 'crm' }, retire: 'burn' }],
      'rotations:abort': [{}, { key: null }],
      'rotations:check-both': [{}, { key: { tenant: 'acme', name: 3 } }],
      'sandbox:status': [{}, 'x'],
      'sandbox:start': [{}, { port: 80 }],
      'sandbox:remove': [{}, 1],
      'review:report': [{ tenant: 7 }, { everything: true }],
      'review:settings': [{}, 1],
      'review:set-settings': [{ staleCheckDays: 0 }, { expiringDays: Array.from({ length: 21 }, () => 1) }, { rotationPolicyDays: 1.5 }, { expiringDays: [0] }, { colour: 'red' }],
      'review:sign': [{}, { reviewer: '' }, { reviewer: huge }, { reviewer: 'Ada', note: huge }],
      'review:export': [{}, { format: 'pdf' }, { format: 'csv', tenant: huge }],
      'audit:list': [{}, { query: {}, offset: 0, limit: 0 }, { query: { action: huge }, offset: 0, limit: 10 }, { query: { key: 'a/b' }, offset: 0, limit: 10 }],
      'audit:verify': [{}, 'x'],
      'audit:export': [{}, { query: {}, format: 'xml' }],
      'usage:key': [{}, { key: { tenant: 'acme' } }, { key: { tenant: 'acme', name: 'k' }, since: huge }, { key: { tenant: 'acme', name: 'k' }, since: 7 }],
      'usage:overlap': [{}, { key: 'acme/k' }],
      'usage:settings': [{}, { tenant: huge }],
      'usage:configure': [{}, { tenant: 'acme', template: huge }, { tenant: 'acme', columns: { key: '' } }, { tenant: 'acme', columns: { colour: 'red' } }, { tenant: 'acme', reset: 'yes' }],
      'watch:status': [{}, 1],
      'watch:seen': [{}, 'x'],
      'watch:snooze': [{}, { key: { tenant: 'acme', name: 'k' }, days: 0 }, { key: { tenant: 'acme', name: 'k' }, days: 91 }, { key: { tenant: 'acme', name: 'k' }, days: 1.5 }],
      'watch:run': [{}, true],
      'watch:set-settings': [{ recheckHours: 0 }, { recheckHours: 2161 }, { enabled: 'yes' }, { colour: 'red' }],
      'team:status': [{}, 1],
      'team:identity': [{}, 'x'],
      'team:new-identity': [{}, 1],
      'team:init': [{}, { dir: '', name: 'ops', member: 'ana' }, { dir: '/tmp/x', name: huge, member: 'ana' }, { dir: '/tmp/x', name: 'ops', member: 'ana', colour: 'red' }],
      'team:join': [{}, { source: '' }, { source: huge }, { source: '/tmp/x', into: 7 }],
      'team:pull': [{}, true],
      'team:leave': [{}, 1],
      'team:inventory': [{}, 'x'],
      'team:push': [{}, 'x'],
      'team:share': [{}, { key: 'acme/k' }, { key: { tenant: 'acme', name: 'k' }, to: [] }, { key: { tenant: 'acme', name: 'k' }, to: 'everyone' }, { key: { tenant: 'acme', name: 'k' }, metadataOnly: 'yes' }],
      'team:add-member': [{}, { name: 'bob', recipient: 'age1x' }, { name: '', recipient: 'age1x', signingKey: 'ed25519:x' }, { name: 'bob', recipient: huge, signingKey: 'ed25519:x' }],
      'team:remove-member': [{}, { name: '' }, { name: huge }],
      'team:resolve': [{}, { path: '../etc', choice: 'mine' }, { path: 'keys/a/b/c', choice: 'theirs' }, { path: 'keys/a/b/c', choice: { version: 'zz' } }],
    };
    const before = await snapshot();
    const eventsBefore = events.length;
    for (const channel of CHANNELS) {
      const payloads = [...common, ...perChannel[channel]].filter((payload) => !(payload === undefined));
      for (const payload of payloads) {
        const result = await call(channel, payload);
        expect(result.ok, `${channel} accepted ${JSON.stringify(payload)?.slice(0, 80)}`).toBe(false);
        if (!result.ok) {
          expect(result.error.code, `${channel} ${JSON.stringify(payload)?.slice(0, 80)}`).toBe('INVALID_INPUT');
          expect(result.error.message.length).toBeLessThan(600);
        }
      }
      // A second argument is not part of any channel.
      expect(await call(channel, undefined, 'extra')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(await snapshot()).toBe(before);
    expect(events.length).toBe(eventsBefore);
    expect(logged.filter((line) => line.includes('unexpectedly'))).toEqual([]);
  });

  it('refuses an object whose fields are inherited, even from a transport that would keep them', async () => {
    // Electron's structured clone drops prototypes, so only a direct call can hand one over.
    const handler = ipc.handler('tenants:add')!;
    const inherited = Object.create({ alias: 'x', tenantId: 'x', environment: 'production' }) as object;
    expect(await handler(frameEvent(mainFrame), inherited)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/plain object/) } });
  });

  it('never echoes a refused secret in the error', async () => {
    const token = canaryToken();
    const results = [
      await call('keys:add', { tenant: 'acme', name: 'n', secret: `${token}\n` }),
      await call('keys:add', { tenant: 'acme', name: 'n', secret: token, scopes: 5 }),
      await call('keys:add', { tenant: 'acme', name: 'bad name', secret: token }),
    ];
    for (const result of results) {
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(token.slice(6, 30));
    }
  });

  it('refuses calls from frames that are not the app’s own top frame showing its page', async () => {
    const before = await snapshot();
    const reveal = { tenant: 'acme', name: 'crm' };
    const navigated = new WebFrameStandIn(`${ORIGIN}/index.html`);
    const gone = new WebFrameStandIn(`${ORIGIN}/index.html`);
    gone.dispose();
    const attempts = [
      // a frame of another window, even one showing the app's page
      ipc.invoke('keys:reveal', frameEvent(new WebFrameStandIn(`${ORIGIN}/index.html`)), reveal),
      // a subframe of the app's window
      ipc.invoke('keys:reveal', frameEvent(new WebFrameStandIn(`${ORIGIN}/index.html`, mainFrame)), reveal),
      // a frame that has gone away: Electron gives null
      ipc.invoke('keys:reveal', frameEvent(null), reveal),
      ipc.invoke('tenants:add', frameEvent(gone), { alias: 'x', tenantId: 'x', environment: 'production' }),
    ];
    for (const result of await Promise.all(attempts)) {
      expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } });
    }
    // The app's own window, navigated away (to a foreign page, a look-alike host, a file), is refused there.
    for (const url of ['https://evil.example/', 'app://tenant-key-vault.evil/index.html', 'app://tenant-key-vault@evil/index.html', 'file:///etc/passwd', 'app://other/index.html']) {
      navigated.navigate(url);
      const own = new InProcessIpcMain();
      registerIpcRouter(own, { services: context, info: { version: 't', dataDir, keychainService: service, platform: process.platform }, emit: () => undefined, clipboard, secretClipboard: new SecretClipboard(clipboard), results: new RecentResults(), saveFile: async () => null }, { page: appPage(), ownFrames: () => [navigated] });
      expect(await own.invoke('keys:reveal', frameEvent(navigated), reveal), url).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
    expect(await snapshot()).toBe(before);
    // And the app's own page is answered.
    expect(await call('keys:reveal', reveal)).toMatchObject({ ok: true });
  });
});
