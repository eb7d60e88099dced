/**
 * What each golden transcript shows: one scenario a file, each a short story a person lives through
 * with tkv (see runner.ts for how they run and what is normalised). Add a scenario for each new
 * outcome a person can meet; then `npm run transcripts` and read the new file line by line.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { selfSignedCertificate, startServer, startTlsServer } from '../support/servers.ts';
import { ADMIN_KEYS } from './fixed.ts';
import type { Scenario, ScenarioContext } from './runner.ts';

/** A key that no server issued: the shape of a Wallet Crew key (64 base64url characters). */
const NEVER_ISSUED = 'nEvErIsSuEdKeY0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM';
/** Another such key, one per tenant (the vault keeps a key once). */
const neverIssued = (label: string) => `${label}-never-issued-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH`.slice(0, 64);

async function demoTenant(t: ScenarioContext, alias = 'demo'): Promise<void> {
  await t.quietly(['tenant', 'add', alias, '--tenant-id', 'demo', '--base-url', t.sandbox.url]);
}

async function storedKey(t: ScenarioContext, name: string, permissions: string[], scopes = permissions, extra: string[] = []): Promise<string> {
  const token = await t.serverKey('demo', name, permissions);
  await t.quietly(['key', 'add', `demo/${name}`, '--scopes', scopes.join(','), ...extra], { stdin: token });
  return token;
}

const COMMANDS = ['tenant', 'key', 'check', 'probe', 'remote', 'rotate', 'watch', 'team', 'review', 'audit', 'exec', 'import', 'reconcile', 'doctor', 'sandbox', 'completion'];

export const SCENARIOS: Scenario[] = [
  {
    name: 'help',
    title: 'Help: the list of commands, each command’s help, and the mistakes people make calling them',
    async run(t) {
      await t.tkv(['--help']);
      await t.tkv(['--version']);
      for (const command of COMMANDS) await t.tkv(['help', command]);
      await t.tkv(['key']);
      await t.tkv(['sandbox', '--help']);
      await t.tkv(['check', '--help']);
      t.say('Mistakes');
      await t.tkv([]);
      await t.tkv(['chek', 'demo/crm']);
      await t.tkv(['key', 'show']);
      await t.tkv(['key', 'add', 'demo/crm', '--secret', 'sk_live_typed_where_it_should_not_be']);
      await t.tkv(['check', '--all', '--concurrency', '-1']);
      await t.tkv(['check', 'demo/crm', '--timeout-ms', '-5']);
      await t.tkv(['audit', '--limit', '-1']);
      await t.tkv(['exec', 'demo/crm', 'printenv']);
      await t.tkv(['key', 'list', '--tenatn', 'demo']);
      await t.tkv(['key', 'shwo', 'demo/crm']);
      await t.tkv(['check', 'demo/crm', '--report', 'pdf']);
    },
  },
  {
    name: 'tenants-and-keys',
    title: 'Tenants and keys: add, list, show, edit, history, reveal, remove',
    async run(t) {
      await t.tkv(['tenant', 'add', 'acme-prod', '--tenant-id', 'acme', '--env', 'production']);
      await t.tkv(['tenant', 'add', 'acme-staging', '--tenant-id', 'acme', '--env', 'staging', '--label', 'Acme QA']);
      await t.tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', t.sandbox.url]);
      await t.tkv(['tenant', 'list']);
      await t.tkv(['key', 'add', 'acme-prod/crm-sync', '--scopes', 'Pass.Read,tenant.core:read', '--expires', '2027-06-30', '--owner', 'CRM team', '--notes', 'nightly export'], { stdin: 'crm-sync-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN' });
      await t.tkv(['key', 'add', 'acme-prod/reporting', '--scopes', 'Insights.Read', '--expires', '2026-12-20'], { stdin: 'reporting-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM' });
      await t.tkv(['key', 'add', 'acme-staging/old', '--scopes', 'Pass.Read', '--expires', '2026-11-01'], { stdin: 'old-staging-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK' });
      await t.tkv(['key', 'list']);
      await t.tkv(['key', 'list', '--tenant', 'acme-prod']);
      await t.tkv(['key', 'show', 'acme-prod/crm-sync']);
      await t.tkv(['key', 'edit', 'acme-prod/crm-sync', '--notes', 'nightly export to the CRM', '--remote-name', 'crm-sync-v2']);
      await t.tkv(['key', 'history', 'acme-prod/crm-sync']);
      await t.tkv(['key', 'reveal', 'acme-prod/crm-sync']);
      t.say('The same key twice, a name that breaks the rules, a key that is not there');
      await t.tkv(['key', 'add', 'acme-staging/crm-copy'], { stdin: 'crm-sync-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN' });
      await t.tkv(['key', 'add', 'acme-prod/bad name'], { stdin: 'another-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP' });
      await t.tkv(['key', 'show', 'acme-prod/nope']);
      await t.tkv(['key', 'show', 'nowhere/crm']);
      t.say('A key typed where its name goes is not repeated');
      await t.tkv(['key', 'show', 'acme-prod/Q2hhbmdlTWVJbW1lZGlhdGVseTEyMzQ1Njc4OTBhYmNkZWZnaGlq']);
      await t.tkv(['key', 'copy', 'acme-prod/crm-sync'], { env: { DISPLAY: undefined, WAYLAND_DISPLAY: undefined } });
      t.say('Removing');
      await t.tkv(['key', 'remove', 'acme-staging/old']);
      await t.tkv(['key', 'remove', 'acme-staging/old', '--yes']);
      await t.tkv(['tenant', 'remove', 'acme-prod']);
      await t.tkv(['tenant', 'remove', 'acme-prod', '--with-keys', '--yes']);
      await t.tkv(['tenant', 'list']);
    },
  },
  {
    name: 'check-verdicts',
    title: 'Checking keys: every verdict, in the terminal and as a report for a ticket',
    async run(t) {
      await demoTenant(t);
      await storedKey(t, 'crm', ['tenant.core:read']);
      const passes = await storedKey(t, 'passes', ['Pass.Read']);
      await storedKey(t, 'lacking', ['Pass.Read'], ['tenant.core:read']);
      await storedKey(t, 'webhooks-only', ['Webhook.Write'], ['Webhook.Write']);
      await storedKey(t, 'revoked', ['tenant.core:read']);
      await t.sandbox.call('DELETE', '/api/demo/admin/apiKeys/revoked', { key: ADMIN_KEYS.demo });
      const verdict = async (ref: string, extra: string[] = []) => {
        await t.tkv(['check', ref, ...extra]);
        await t.tkv(['check', ref, ...extra, '--report', 'md']);
      };
      t.say('valid: a key that holds the scope its probe needs');
      await verdict('demo/crm');
      await verdict('demo/passes');
      t.say('authenticated: the key works, none of its declared scopes has a probe');
      await verdict('demo/webhooks-only');
      t.say('unauthorized (401): a key deleted on the server');
      await verdict('demo/revoked');
      t.say('forbidden (403): a key that lacks the scope');
      await verdict('demo/lacking');
      t.say('a pasted key, never stored');
      await t.tkv(['check', '--base-url', t.sandbox.url, '--tenant-id', 'demo', '--key-stdin'], { stdin: NEVER_ISSUED });
      t.say('not found (404): a tenant id the server does not know');
      await t.quietly(['tenant', 'add', 'wrong-tenant', '--tenant-id', 'not-a-tenant', '--base-url', t.sandbox.url]);
      await t.quietly(['key', 'add', 'wrong-tenant/crm', '--scopes', 'tenant.core:read'], { stdin: NEVER_ISSUED });
      await verdict('wrong-tenant/crm');
      t.say('a probe named with a key typed in its place');
      await t.tkv(['check', 'demo/crm', '--probe', 'Q2hhbmdlTWVJbW1lZGlhdGVseTEyMzQ1Njc4OTBhYmNkZWZnaGlq']);
      t.say('a pasted key the vault already holds is checked with the probe its declared scopes call for');
      await t.tkv(['check', '--base-url', t.sandbox.url, '--tenant-id', 'demo', '--key-stdin'], { stdin: passes });
      t.say('server error, timeout, network error: nothing is said of the key');
      await t.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/*/admin/config', failureRate: 1 }] });
      await verdict('demo/crm');
      await t.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/*/admin/config', hang: true }] });
      await verdict('demo/crm', ['--timeout-ms', '300']);
      await t.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/*/admin/config', reset: true }] });
      await verdict('demo/crm');
      await t.sandbox.control('DELETE', '/_sandbox/config');
      t.say('Answers that are not the API, or not about the key: rate limited, an HTML page, a redirect, an odd status, an untrusted certificate, nothing listening');
      const odd = await startServer((request, response) => {
        if (request.url?.includes('/html/')) response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title><form>Company login</form>');
        else if (request.url?.includes('/busy/')) response.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '30' }).end('{"title":"Too Many Requests","status":429}');
        else if (request.url?.includes('/moved/')) response.writeHead(302, { location: 'https://login.example.com/sso' }).end();
        else response.writeHead(418, { 'content-type': 'text/plain' }).end("I'm a teapot");
      });
      const certificate = selfSignedCertificate();
      const tls = await startTlsServer(certificate, (_request, response) => response.writeHead(200).end('{}'));
      t.name(odd.url.replace('http://', ''), '127.0.0.1:<odd-server-port>');
      t.name(tls.url.replace('https://', ''), '127.0.0.1:<tls-server-port>');
      try {
        for (const [alias, tenantId, baseUrl] of [['busy', 'busy', odd.url], ['gateway', 'html', odd.url], ['moved', 'moved', odd.url], ['teapot', 'teapot', odd.url], ['tls', 'demo', tls.url], ['closed', 'demo', 'http://127.0.0.1:9']] as const) {
          await t.quietly(['tenant', 'add', alias, '--tenant-id', tenantId, '--base-url', baseUrl]);
          await t.quietly(['key', 'add', `${alias}/crm`, '--scopes', 'tenant.core:read'], { stdin: neverIssued(alias) });
          await verdict(`${alias}/crm`);
        }
      } finally {
        await odd.close();
        await tls.close();
      }
    },
  },
  {
    name: 'verdicts-that-cannot-lie',
    title: "Verdicts that cannot lie: the negative control, and the server's own word on a 401 or a 403",
    async run(t) {
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--scopes', '*', '--admin', '--remote-name', 'sandbox-admin'], { stdin: ADMIN_KEYS.demo });
      await storedKey(t, 'crm', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'crm']);
      t.say('A healthy key: the negative control (a key never issued) got 401, so the 200 counts');
      await t.tkv(['check', 'demo/crm']);
      t.say('An endpoint that lets any key in (a gateway, a mock): inconclusive, never valid — stored, pasted, in bulk');
      await t.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', acceptAnyKey: true }] });
      await t.tkv(['check', 'demo/crm']);
      await t.tkv(['check', 'demo/crm', '--report', 'md']);
      await t.tkv(['check', '--base-url', t.sandbox.url, '--tenant-id', 'demo', '--key-stdin'], { stdin: NEVER_ISSUED });
      await t.tkv(['check', '--all', '--tenant', 'demo']);
      await t.tkv(['key', 'show', 'demo/crm']);
      await t.sandbox.control('DELETE', '/_sandbox/config');
      t.say("401, and the server's word: disabled, deleted, or present and enabled with another token");
      await storedKey(t, 'feed-disabled', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'feed-disabled']);
      await t.sandbox.call('PUT', '/api/demo/admin/apiKeys/feed-disabled', { key: ADMIN_KEYS.demo, body: { enabled: false, permissions: ['tenant.core:read'] } });
      await t.tkv(['check', 'demo/feed-disabled']);
      await storedKey(t, 'feed-deleted', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'feed-deleted']);
      await t.sandbox.call('DELETE', '/api/demo/admin/apiKeys/feed-deleted', { key: ADMIN_KEYS.demo });
      await t.tkv(['check', 'demo/feed-deleted']);
      await t.serverKey('demo', 'feed-regenerated', ['tenant.core:read']);
      await t.quietly(['key', 'add', 'demo/feed-regenerated', '--scopes', 'tenant.core:read', '--remote-name', 'feed-regenerated'], { stdin: NEVER_ISSUED });
      await t.tkv(['check', 'demo/feed-regenerated']);
      await t.tkv(['check', 'demo/feed-regenerated', '--report', 'md']);
      t.say("403, and the server's word: what the key holds, what the probe needed, and where the vault's scopes differ");
      await storedKey(t, 'passes-only', ['Pass.Read'], ['tenant.core:read'], ['--remote-name', 'passes-only']);
      await t.tkv(['check', 'demo/passes-only']);
      await t.tkv(['check', 'demo/passes-only', '--json']);
      t.say('Without an admin credential, the advice says what one would have told');
      await t.quietly(['tenant', 'add', 'no-admin', '--tenant-id', 'demo', '--base-url', t.sandbox.url]);
      const lonely = await t.serverKey('demo', 'lonely', ['tenant.core:read'], false);
      await t.quietly(['key', 'add', 'no-admin/lonely', '--scopes', 'tenant.core:read', '--remote-name', 'lonely'], { stdin: lonely });
      await t.tkv(['check', 'no-admin/lonely']);
      t.say('An admin key refused: it is never used to diagnose itself');
      await t.quietly(['tenant', 'add', 'solo', '--tenant-id', 'demo', '--base-url', t.sandbox.url]);
      await t.quietly(['key', 'add', 'solo/admin', '--scopes', '*', '--admin'], { stdin: neverIssued('solo') });
      await t.tkv(['check', 'solo/admin']);
      t.say("A bulk run asks the server about each refused key, once");
      await t.sandbox.call('PUT', '/api/demo/admin/apiKeys/crm', { key: ADMIN_KEYS.demo, body: { enabled: false, permissions: ['tenant.core:read'] } });
      await t.tkv(['check', '--all', '--tenant', 'demo']);
    },
  },
  {
    name: 'key-usage',
    title: "A key's use: the vendor's logs (Insights) and the vault's own exec runs, each said with where it came from",
    async run(t) {
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--scopes', '*', '--admin', '--remote-name', 'sandbox-admin'], { stdin: ADMIN_KEYS.demo });
      const crm = await storedKey(t, 'crm', ['tenant.core:read', 'Pass.Read'], ['tenant.core:read', 'Pass.Read'], ['--remote-name', 'crm']);
      t.say("The CRM used the key yesterday and this morning (its logs' past, seeded), and twice just now; the vault checked it once");
      await t.sandbox.control('POST', '/_sandbox/logs', {
        tenantId: 'demo',
        rows: [
          ...[30, 30, 29].map((hoursAgo) => ({ hoursAgo, keyName: 'crm', method: 'GET', path: '/api/demo/passes', remoteAddress: '10.20.0.7', userAgent: 'crm-sync/2.0' })),
          ...[3, 2].map((hoursAgo) => ({ hoursAgo, keyName: 'crm', method: 'GET', path: '/api/demo/passes', remoteAddress: '10.20.0.7', userAgent: 'crm-sync/2.1' })),
        ],
      });
      for (let i = 0; i < 2; i += 1) await t.sandbox.call('GET', '/api/demo/passes', { key: crm, headers: { 'User-Agent': 'crm-sync/2.1' } });
      await t.quietly(['check', 'demo/crm']);
      await t.tkv(['key', 'usage', 'demo/crm']);
      await t.tkv(['key', 'usage', 'demo/crm', '--since', '6h', '--json']);
      t.say('A program run through tkv exec is the vault’s own evidence (its name and time, never the value)');
      await t.quietly(['exec', 'demo/crm', '--', 'true']);
      await t.tkv(['key', 'usage', 'demo/crm', '--since', '24h']);
      t.say('A key nobody used: no request in the window — said as evidence, from the logs');
      await storedKey(t, 'idle', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'idle']);
      await t.tkv(['key', 'usage', 'demo/idle']);
      t.say('The usage query and its column mapping, per tenant; a query Insights refuses is named as such');
      await t.tkv(['tenant', 'usage-query', 'demo']);
      await t.tkv(['tenant', 'usage-query', 'demo', '--template', 'Logs | where keyName == {keyName} | extend x = 1']);
      await t.tkv(['key', 'usage', 'demo/crm', '--since', '24h']);
      await t.tkv(['tenant', 'usage-query', 'demo', '--no-user-agent-column', '--default-template']);
      await t.tkv(['key', 'usage', 'demo/crm', '--since', '24h']);
      await t.tkv(['tenant', 'usage-query', 'demo', '--key-column', 'key name']);
      await t.tkv(['tenant', 'usage-query', 'demo', '--reset']);
      t.say("A rotation's overlap: the CRM still sends the old key; finishing asks, and names the evidence");
      await t.quietly(['rotate', 'demo/crm', '--new-name', 'crm-2026-12']);
      await t.sandbox.call('GET', '/api/demo/passes', { key: crm, headers: { 'User-Agent': 'crm-sync/2.1' } });
      await t.tkv(['rotate', 'demo/crm', '--usage']);
      await t.tkv(['rotate', 'demo/crm', '--finish']);
      await t.tkv(['rotate', 'demo/crm', '--finish', '--yes']);
      t.say('A rotation whose old key went quiet: finishing says so and goes on');
      const feed = await storedKey(t, 'feed', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'feed']);
      await t.sandbox.control('POST', '/_sandbox/logs', { tenantId: 'demo', rows: [{ hoursAgo: 20, keyName: 'feed', remoteAddress: '10.20.0.9', userAgent: 'feed-export/1.4' }] });
      void feed;
      await t.quietly(['rotate', 'demo/feed', '--new-name', 'feed-2026-12']);
      await t.tkv(['rotate', 'demo/feed', '--usage']);
      await t.tkv(['rotate', 'demo/feed', '--finish', '--yes']);
      t.say('Without a credential that can read the logs: no evidence, said so — never zero use');
      await t.quietly(['tenant', 'add', 'no-admin', '--tenant-id', 'demo', '--base-url', t.sandbox.url]);
      const lonely = await t.serverKey('demo', 'lonely', ['tenant.core:read'], false);
      await t.quietly(['key', 'add', 'no-admin/lonely', '--scopes', 'tenant.core:read', '--remote-name', 'lonely'], { stdin: lonely });
      await t.tkv(['key', 'usage', 'no-admin/lonely']);
    },
  },
  {
    name: 'keeping-watch',
    title: 'Keeping watch without the app: stale keys checked again, and what needs a person',
    async run(t) {
      const DAY_LATER = { env: { TKV_CLOCK: '2026-12-02T09:00:00.000Z' } };
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--scopes', '*', '--admin', '--remote-name', 'sandbox-admin'], { stdin: ADMIN_KEYS.demo });
      await storedKey(t, 'crm', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'crm']);
      await storedKey(t, 'feed', ['tenant.core:read'], ['tenant.core:read'], ['--remote-name', 'feed']);
      t.say('Only keys whose last judgement is older than the window are checked: never judged, all three; a minute later, none');
      await t.tkv(['check', '--all', '--stale', '24h']);
      await t.tkv(['check', '--all', '--stale', '24h']);
      t.say('A round finds nothing for a person: exit 0');
      await t.tkv(['watch', '--once']);
      t.say('A day later the server has disabled crm, and feed expires in three days: the round checks the stale keys and lists both (exit 14)');
      await t.sandbox.call('PUT', '/api/demo/admin/apiKeys/crm', { key: ADMIN_KEYS.demo, body: { enabled: false, permissions: ['tenant.core:read'] } });
      await t.quietly(['key', 'edit', 'demo/feed', '--expires', '2026-12-05']);
      await t.tkv(['watch', '--once'], DAY_LATER);
      await t.tkv(['watch', '--once', '--json'], DAY_LATER);
      await t.tkv(['watch']);
    },
  },
  {
    name: 'scope-matrix-and-bulk',
    title: 'The scope matrix of a key, and checking every key at once',
    async run(t) {
      await demoTenant(t);
      await storedKey(t, 'crm', ['tenant.core:read', 'Pass.Read'], ['tenant.core:read', 'Pass.Read', 'Secret.Read']);
      await storedKey(t, 'passes', ['Pass.Read']);
      await storedKey(t, 'revoked', ['tenant.core:read']);
      await t.sandbox.call('DELETE', '/api/demo/admin/apiKeys/revoked', { key: ADMIN_KEYS.demo });
      await t.tkv(['check', 'demo/crm', '--scopes-matrix']);
      await t.tkv(['check', 'demo/crm', '--scopes-matrix', '--report', 'md']);
      await t.tkv(['check', '--all']);
      await t.tkv(['check', '--all', '--tenant', 'demo']);
      t.say('A tenant with no keys');
      await t.quietly(['tenant', 'add', 'empty', '--tenant-id', 'empty', '--base-url', t.sandbox.url]);
      await t.tkv(['check', '--all', '--tenant', 'empty']);
      await t.tkv(['check', '--all', '--tenant', 'nowhere']);
    },
  },
  {
    name: 'server-keys-and-rotation',
    title: 'Keys on the server (the admin API) and a rotation',
    async run(t) {
      await demoTenant(t);
      t.say('Without an admin credential');
      await t.tkv(['remote', 'list', 'demo']);
      await t.quietly(['key', 'add', 'demo/admin', '--admin', '--scopes', '*'], { stdin: ADMIN_KEYS.demo });
      await storedKey(t, 'crm', ['tenant.core:read']);
      await t.tkv(['remote', 'list', 'demo']);
      await t.tkv(['remote', 'get', 'demo/crm']);
      await t.tkv(['remote', 'create', 'demo/reports', '--scopes', 'Insights.Read,tenant.core:read']);
      await t.tkv(['remote', 'create', 'demo/reports', '--scopes', 'Insights.Read']);
      await t.tkv(['remote', 'create', 'demo/bad name', '--scopes', 'Insights.Read']);
      await t.tkv(['remote', 'update', 'demo/reports', '--disable']);
      await t.tkv(['remote', 'delete', 'demo/reports']);
      await t.tkv(['remote', 'delete', 'demo/reports', '--yes']);
      t.say('A rotation: start, the overlap, finish');
      await t.tkv(['rotate', 'demo/crm']);
      await t.tkv(['rotate', '--status']);
      await t.tkv(['rotate', 'demo/crm', '--journal']);
      await t.tkv(['rotate', 'demo/crm', '--finish', '--yes']);
      await t.tkv(['check', 'demo/crm']);
      await t.tkv(['key', 'show', 'demo/crm']);
    },
  },
  {
    name: 'review-and-audit',
    title: 'The offline review of the inventory, its exports and sign-off, and the audit log',
    async run(t) {
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--admin', '--scopes', '*'], { stdin: ADMIN_KEYS.demo });
      await storedKey(t, 'crm', ['tenant.core:read'], ['tenant.core:read'], ['--owner', 'CRM team', '--expires', '2027-06-30']);
      await storedKey(t, 'expiring', ['Pass.Read'], ['Pass.Read'], ['--expires', '2026-12-10']);
      await storedKey(t, 'nobody', ['Pass.Read', 'Secret.Read']);
      await t.quietly(['check', 'demo/crm']);
      await t.quietly(['remote', 'list', 'demo']);
      await t.tkv(['review']);
      await t.tkv(['review', '--all']);
      await t.tkv(['review', '--fail-on', 'warning']);
      await t.tkv(['review', 'export', '--format', 'md']);
      await t.tkv(['review', 'sign', '--reviewer', 'Ada Lovelace', '--note', 'quarterly review']);
      await t.tkv(['review']);
      await t.tkv(['audit']);
      await t.tkv(['audit', '--key', 'demo/crm']);
      await t.tkv(['audit', 'verify']);
    },
  },
  {
    name: 'import-and-exec',
    title: 'Importing keys from a file, and running a program with a key',
    async run(t) {
      await demoTenant(t);
      const token = await t.serverKey('demo', 'orders', ['tenant.core:read']);
      const envFile = path.join(t.workDir, '.env');
      fs.writeFileSync(envFile, [`ORDERS_API_KEY=${token}`, 'DATABASE_URL=postgres://app:secret@db.internal:5432/app', 'export DEBUG=true', '# a comment', 'BROKEN="no end quote', ''].join('\n'));
      await t.tkv(['import', envFile, '--tenant', 'demo', '--dry-run']);
      await t.tkv(['import', envFile, '--tenant', 'demo']);
      await t.tkv(['key', 'list']);
      const csv = path.join(t.workDir, 'keys.csv');
      fs.writeFileSync(csv, ['name,key,scopes,expires,owner,notes', `billing,${'b'.repeat(64)},Pass.Read,2027-01-31,Billing,from the old vault`, 'empty,,Pass.Read,,,', ''].join('\n'));
      await t.tkv(['import', csv, '--tenant', 'demo', '--dry-run']);
      t.say('exec');
      await t.tkv(['exec', 'demo/orders', '--dry-run']);
      await t.tkv(['exec', 'demo/orders', '--header-env', 'AUTH_HEADER', '--dry-run']);
      await t.tkv(['exec', 'demo/orders', '--', 'sh', '-c', 'echo "key: $ORDERS_API_KEY"; printf %s "$ORDERS_API_KEY" | base64']);
      await t.tkv(['exec', 'demo/orders', '--', 'sh', '-c', 'exit 3']);
    },
  },
  {
    name: 'health',
    title: 'The vault’s own health: doctor and reconcile; an inventory lost, and restored from its backup',
    async run(t) {
      await demoTenant(t);
      await storedKey(t, 'crm', ['tenant.core:read']);
      await t.tkv(['doctor']);
      await t.tkv(['reconcile']);
      t.say('The inventory file is emptied (a sync tool, a bad restore): its keys are still in the keychain');
      fs.writeFileSync(path.join(t.dataDir, 'inventory.sqlite'), '');
      for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(t.dataDir, `inventory.sqlite${suffix}`), { force: true });
      await t.tkv(['key', 'list']);
      await t.tkv(['tenant', 'add', 'fresh', '--tenant-id', 'fresh', '--env', 'staging']);
      await t.tkv(['reconcile', '--remove-orphans', '--yes']);
      await t.tkv(['doctor']);
      await t.tkv(['doctor', '--restore', '--yes']);
      await t.tkv(['key', 'list']);
      t.say('The keychain does not answer');
      await t.tkv(['doctor'], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tkv-bus' } });
    },
  },
  {
    name: 'readme-walk',
    title: 'The README’s sandbox walk: an admin key added by hand, its server name not given',
    async run(t) {
      await demoTenant(t);
      await t.tkv(['key', 'add', 'demo/admin', '--admin', '--scopes', '*'], { stdin: ADMIN_KEYS.demo });
      await t.tkv(['remote', 'list', 'demo']);
      await t.tkv(['review']);
      await t.tkv(['key', 'edit', 'demo/admin', '--remote-name', 'sandbox-admin']);
      await t.tkv(['remote', 'list', 'demo']);
      await t.tkv(['review', '--fail-on', 'critical']);
    },
  },
  {
    name: 'lost-answer',
    title: 'A key created on the server whose answer never came back',
    async run(t) {
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--admin', '--scopes', '*', '--remote-name', 'sandbox-admin'], { stdin: ADMIN_KEYS.demo });
      await t.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'POST /api/*/admin/apiKeys', dropResponse: true }] });
      await t.tkv(['remote', 'create', 'demo/reports', '--scopes', 'Insights.Read']);
      await t.sandbox.control('DELETE', '/_sandbox/config');
      await t.tkv(['remote', 'list', 'demo']);
      await t.tkv(['remote', 'delete', 'demo/reports', '--yes']);
      await t.tkv(['remote', 'create', 'demo/reports', '--scopes', 'Insights.Read']);
    },
  },
{
    name: 'team',
    title: 'A team: Ana founds it, adds Bob, shares a key; Bob joins and receives it; a rotation reaches him; a removal lists what to rotate',
    async run(t) {
      const remote = path.join(t.workDir, 'remote.git');
      fs.mkdirSync(remote);
      execFileSync('git', ['init', '--quiet', '--bare', remote]);
      const bob = t.vault('bob');
      const carl = t.vault('carl');
      const as = (who: string, env: Record<string, string | undefined>) => ({ as: who, env });
      await demoTenant(t);
      await t.quietly(['key', 'add', 'demo/admin', '--admin', '--scopes', '*', '--remote-name', 'sandbox-admin'], { stdin: ADMIN_KEYS.demo });
      await t.quietly(['remote', 'create', 'demo/crm', '--scopes', 'tenant.core:read,Pass.Read']);
      await t.quietly(['key', 'edit', 'demo/crm', '--owner', 'CRM team', '--notes', 'nightly export']);
      await t.quietly(['check', 'demo/crm']);
      t.say('Ana founds the team and publishes it');
      await t.tkv(['team', 'init', path.join(t.workDir, 'ana-team'), '--name', 'support', '--member', 'ana', '--remote', remote], { as: 'ana' });
      await t.tkv(['team', 'push'], { as: 'ana' });
      t.say('Bob prints his identity for Ana; Ana adds him and Carl, and shares demo/crm with Bob');
      await t.tkv(['team', 'identity', '--as', 'bob'], as('bob', bob));
      const bobId = JSON.parse((await t.quietly(['team', 'identity', '--json'], { env: bob })).stdout) as { recipient: string; signingKey: string };
      const carlId = JSON.parse((await t.quietly(['team', 'identity', '--json'], { env: carl })).stdout) as { recipient: string; signingKey: string };
      await t.tkv(['team', 'add-member', 'bob', bobId.recipient, bobId.signingKey], { as: 'ana' });
      await t.quietly(['team', 'add-member', 'carl', carlId.recipient, carlId.signingKey]);
      await t.tkv(['team', 'share', 'demo/crm', '--to', 'bob'], { as: 'ana' });
      await t.tkv(['team', 'push'], { as: 'ana' });
      t.say('Bob joins from the remote: the founder pinned, the key he may read in his keychain');
      await t.tkv(['team', 'join', remote, '--into', path.join(t.workDir, 'bob-team')], as('bob', bob));
      await t.tkv(['key', 'list'], as('bob', bob));
      await t.tkv(['team', 'status'], as('bob', bob));
      t.say('Ana rotates the key and shares it again; Bob’s pull checks the new secret before it replaces his');
      await t.tkv(['rotate', 'demo/crm', '--new-name', 'crm-2', '--yes'], { as: 'ana' });
      await t.tkv(['team', 'share', 'demo/crm'], { as: 'ana' });
      await t.quietly(['team', 'push']);
      await t.tkv(['team', 'pull'], as('bob', bob));
      t.say('Ana removes Carl, who could read demo/crm once shared with every member');
      await t.quietly(['team', 'share', 'demo/crm', '--to-all']);
      await t.tkv(['team', 'remove-member', 'carl', '--yes'], { as: 'ana' });
      await t.quietly(['team', 'push']);
      await t.tkv(['team', 'pull'], as('bob', bob));
      t.say('The team’s whole inventory, in Bob’s review');
      await t.tkv(['review', '--team', '--all'], as('bob', bob));
      t.say('Mistakes');
      await t.tkv(['team', 'share', 'demo/admin'], { as: 'ana' });
      await t.tkv(['team', 'share', 'demo/crm', '--to', 'dave'], { as: 'ana' });
      await t.tkv(['team', 'remove-member', 'ana', '--yes'], { as: 'ana' });
      await t.tkv(['team', 'add-member', 'erin', 'age1notarecipient', bobId.signingKey], { as: 'ana' });
      await t.tkv(['team', 'init', path.join(t.workDir, 'again'), '--name', 'again'], as('bob', bob));
    },
  },
];
