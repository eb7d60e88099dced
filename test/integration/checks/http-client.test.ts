// The HTTP client against purpose-built servers on loopback.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpOutcome } from '../../../src-main/core/http/http-client.ts';
import { VaultError } from '../../../src-main/core/errors.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { json, selfSignedCertificate, startServer, startTlsServer, type TestServer } from '../../support/servers.ts';

const key = canaryToken();
const servers: TestServer[] = [];
let client: HttpClient;
let tls: ReturnType<typeof selfSignedCertificate>;
/** The certificate as a file, for a client told to trust it (extraCaFile). */
let certDir: string;
let certFile: string;

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

beforeAll(() => {
  client = new HttpClient({ deadlineMs: 3000, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, env: {} });
  tls = selfSignedCertificate();
  certDir = scratchDir('tls-trusted');
  certFile = path.join(certDir, 'cert.pem');
  fs.writeFileSync(certFile, tls.cert);
});
afterAll(async () => {
  await client.close();
  for (const s of servers) await s.close();
  fs.rmSync(certDir, { recursive: true, force: true });
});

/** Answers 200, then a byte every 100 ms, for ever: only the overall deadline can end it. */
function trickleForever(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => response.write('.'), 100);
  response.on('close', () => clearInterval(timer));
}

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
    const trickle = await server((_, response) => trickleForever(response));
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

  it('ends each exchange at its own deadline, among others that end first, in any order, and again once all have ended', async () => {
    // /trickle never ends; /slow answers in 300 ms; anything else at once.
    const target = await server((request, response) => {
      if (request.url === '/slow') return void setTimeout(() => json(response, 200, { slow: true }), 300);
      if (request.url !== '/trickle') return json(response, 200, { fast: true });
      trickleForever(response);
    });
    const impatient = new HttpClient({ deadlineMs: 700, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, env: {} });
    const wave = async () => {
      const started = performance.now();
      const paths = ['/trickle', '/fast', '/slow', '/trickle', '/fast', '/trickle', '/slow', '/fast'];
      const outcomes = await Promise.all(paths.map((at) => impatient.send({ method: 'GET', url: `${target.url}${at}` }).then((outcome) => ({ at, outcome, after: performance.now() - started }))));
      for (const { at, outcome, after } of outcomes) {
        if (at === '/trickle') {
          expect(outcome).toMatchObject({ kind: 'failure', failure: 'timeout', code: 'DEADLINE' });
          // Ended by its deadline, whatever finished around it: not before it, and well before the
          // body timeout (1.5 s between bytes, which never runs out here) or a test's patience.
          expect(after).toBeGreaterThanOrEqual(650);
          expect(after).toBeLessThan(1400);
        } else {
          expect(outcome).toMatchObject({ kind: 'response', status: 200 });
          expect(after).toBeLessThan(650);
        }
      }
    };
    try {
      await wave();
      // Every exchange has ended, so the shared timer stopped; a second wave starts it again.
      await wave();
    } finally {
      await impatient.close();
    }
  });

  it('closes with an answer still trickling in: the exchange ends at its deadline, then the connections close', async () => {
    const trickle = await server((_, response) => trickleForever(response));
    const closing = new HttpClient({ deadlineMs: 500, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, env: {} });
    const started = performance.now();
    const outcome = closing.send({ method: 'GET', url: trickle.url });
    // Closed while the answer trickles in: close waits for the exchange, which its deadline ends.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    expect(await outcome).toMatchObject({ kind: 'failure', failure: 'timeout', code: 'DEADLINE' });
    expect(performance.now() - started).toBeLessThan(1400);
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
    const trusting = new HttpClient({ extraCaFile: certFile, env: {} });
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

  it('never sends a loopback request through a proxy, whatever the variables say', async () => {
    const target = await server((request, response) => json(response, 200, { key: request.headers['x-api-key'] }));
    const proxy = await server((request, response) => json(response, 200, { proxied: request.url }));
    const proxyConnects: string[] = [];
    proxy.server.on('connect', (request: { url?: string }, socket: Socket) => {
      proxyConnects.push(request.url ?? '');
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    const key = 'loopback-key-0123456789abcdef';
    for (const env of [{ HTTP_PROXY: proxy.url }, { http_proxy: proxy.url, NO_PROXY: 'localhost' }, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' }]) {
      const client = new HttpClient({ env });
      try {
        const outcome = await client.send({ method: 'GET', url: `${target.url}/direct`, secretHeaders: { 'X-API-KEY': key } });
        expect(outcome.kind === 'response' && JSON.parse(outcome.body.toString())).toEqual({ key });
      } finally {
        await client.close();
      }
    }
    expect(proxy.requests).toEqual([]);
    expect(proxyConnects).toEqual([]);
  });

  it('tunnels https to other hosts through HTTPS_PROXY, and goes around it for NO_PROXY entries', async () => {
    const proxy = await server((_, response) => json(response, 502, {}));
    const connects: string[] = [];
    proxy.server.on('connect', (request: { url?: string; headers: Record<string, unknown> }, socket: Socket) => {
      connects.push(`${request.url} ${Object.keys(request.headers).includes('x-api-key') ? 'with key' : 'no key'}`);
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    const send = async (env: Record<string, string>, url: string) => {
      const client = new HttpClient({ env, deadlineMs: 3000, connectTimeoutMs: 1000 });
      try {
        return await client.send({ method: 'GET', url, secretHeaders: { 'X-API-KEY': 'tunnelled-key-0123456789' } });
      } finally {
        await client.close();
      }
    };
    const through = await send({ HTTPS_PROXY: proxy.url }, 'https://api.tkv-proxy-test.invalid:8443/x');
    expect(through.kind).toBe('failure');
    // The proxy saw where the tunnel goes, never the key: that travels inside the TLS tunnel.
    expect(connects).toEqual(['api.tkv-proxy-test.invalid:8443 no key']);
    const around = await send({ HTTPS_PROXY: proxy.url, NO_PROXY: '.tkv-proxy-test.invalid' }, 'https://api.tkv-proxy-test.invalid:8443/x');
    expect(around).toMatchObject({ kind: 'failure', failure: 'dns' });
    expect(connects).toHaveLength(1);
  });
});
