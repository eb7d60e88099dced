// The HTTP client against purpose-built servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpOutcome } from '../../../src-main/core/http/http-client.ts';
import { VaultError } from '../../../src-main/core/errors.ts';
import { canaryToken } from '../../support/files.ts';
import { json, selfSignedCertificate, startServer, startTlsServer, type TestServer } from '../../support/servers.ts';

const key = canaryToken();
const servers: TestServer[] = [];
let client: HttpClient;
let tls: ReturnType<typeof selfSignedCertificate>;

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

beforeAll(() => {
  client = new HttpClient({ deadlineMs: 3000, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, env: {} });
  tls = selfSignedCertificate();
});
afterAll(async () => {
  await client.close();
  for (const s of servers) await s.close();
});

function send(url: string, extra: Partial<Parameters<HttpClient['send']>[0]> = {}): Promise<HttpOutcome> {
  return client.send({ method: 'GET', url, secretHeaders: { 'X-API-KEY': key }, ...extra });
}

describe('HttpClient', () => {
  it('sends the key in its header, and only there', async () => {
    const target = await server((_, response) => json(response, 200, { ok: true }));
    const outcome = await send(`${target.url}/api/demo/admin/config`);
    expect(outcome).toMatchObject({ kind: 'response', status: 200, truncated: false });
    expect(target.requests[0]!.headers['x-api-key']).toBe(key);
    expect(target.requests[0]!.url).not.toContain(key);
  });

  it('never follows a redirect, so the second server never sees the key', async () => {
    const elsewhere = await server((_, response) => json(response, 200, {}));
    const redirecting = await server((_, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/steal` });
      response.end();
    });
    const outcome = await send(`${redirecting.url}/api/demo/admin/config`);
    expect(outcome).toMatchObject({ kind: 'response', status: 302, headers: { location: `${elsewhere.url}/steal` } });
    expect(elsewhere.requests).toEqual([]);
  });

  it('reads at most 1 MiB of a 30 MB body and stops', async () => {
    let sent = 0;
    const huge = await server((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (sent < 30 * 1024 * 1024) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('close', () => undefined);
      pump();
    });
    const outcome = await send(huge.url);
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') {
      expect(outcome.body.length).toBe(1024 * 1024);
      expect(outcome.truncated).toBe(true);
    }
    // The client dropped the stream: the server could not push all 30 MB through.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toBeLessThan(30 * 1024 * 1024);
  });

  it('recognises a refused connection, a reset and a server that never answers', async () => {
    const refused = await send('http://127.0.0.1:1/');
    expect(refused).toMatchObject({ kind: 'failure', failure: 'refused', code: 'ECONNREFUSED' });
    const reset = await server((request) => request.socket.resetAndDestroy());
    expect(await send(reset.url)).toMatchObject({ kind: 'failure', failure: 'reset' });
    const silent = await server(() => undefined);
    const started = performance.now();
    const timeout = await send(silent.url);
    expect(timeout).toMatchObject({ kind: 'failure', failure: 'timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('recognises a host name that does not resolve', async () => {
    // RFC 6761: names under .invalid never resolve, on any resolver.
    expect(await send('https://tkv-check.invalid/api/demo/admin/config')).toMatchObject({ kind: 'failure', failure: 'dns', code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/) });
  });

  it('ends an answer that trickles in forever at the overall deadline', async () => {
    // Each byte arrives well within the body timeout, so only the overall deadline can end it.
    const trickle = await server((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => response.write('.'), 100);
      response.on('close', () => clearInterval(timer));
    });
    const impatient = new HttpClient({ deadlineMs: 700, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, env: {} });
    try {
      const started = performance.now();
      const outcome = await impatient.send({ method: 'GET', url: trickle.url });
      expect(outcome).toMatchObject({ kind: 'failure', failure: 'timeout', code: 'DEADLINE' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(650);
    } finally {
      await impatient.close();
    }
  });

  it('sends a path with spaces percent-encoded and never sends a fragment', async () => {
    const target = await server((_, response) => json(response, 200, {}));
    expect(await send(`${target.url}/api/demo/a b?q=1#fragment`)).toMatchObject({ kind: 'response', status: 200 });
    expect(target.requests[0]!.url).toBe('/api/demo/a%20b?q=1');
  });

  it('refuses a self-signed certificate as a TLS failure, and trusts it from an extra CA file', async () => {
    const secure = await startTlsServer(tls, (_, response) => json(response, 200, { ok: true }));
    servers.push(secure);
    const refused = await send(secure.url);
    expect(refused).toMatchObject({ kind: 'failure', failure: 'tls' });
    expect(secure.requests).toEqual([]);
    const trusting = new HttpClient({ extraCaFile: tls.certFile, env: {} });
    try {
      expect(await trusting.send({ method: 'GET', url: secure.url })).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      await trusting.close();
    }
    expect(() => new HttpClient({ extraCaFile: '/nonexistent/ca.pem' })).toThrow(/Cannot read the CA file/);
  });

  it('refuses plain http beyond loopback and a key in the URL, before sending anything', async () => {
    await expect(send('http://example.com/api')).rejects.toThrow(/plain http/);
    await expect(send(`http://127.0.0.1:1/api?key=${key}`)).rejects.toBeInstanceOf(VaultError);
    await expect(send(`http://127.0.0.1:1/${encodeURIComponent(key)}`)).rejects.toThrow(/travels only in a header/);
  });

  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const target = await server((_, response) => json(response, 200, { direct: true }));
    const proxy = await server((request, response) => json(response, 200, { proxied: request.url }));
    const proxied = new HttpClient({ env: { HTTP_PROXY: proxy.url } });
    const bypassing = new HttpClient({ env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    try {
      const via = await proxied.send({ method: 'GET', url: `${target.url}/through` });
      expect(via.kind === 'response' && JSON.parse(via.body.toString())).toEqual({ proxied: `${target.url}/through` });
      const direct = await bypassing.send({ method: 'GET', url: `${target.url}/around` });
      expect(direct.kind === 'response' && JSON.parse(direct.body.toString())).toEqual({ direct: true });
      expect(target.requests.map((r) => r.url)).toEqual(['/around']);
    } finally {
      await proxied.close();
      await bypassing.close();
    }
  });
});
