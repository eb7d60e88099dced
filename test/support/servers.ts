/**
 * Small purpose-built servers on loopback, for what the sandbox does not do: redirects, self-signed
 * TLS, silence, resets, huge bodies, HTML error pages, odd statuses. Each records what it received.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { scratchDir } from './files.ts';

export interface TestServer {
  url: string;
  /** The node server itself, for tests that need more than request handlers (a proxy's CONNECT). */
  server: http.Server | https.Server;
  /** Every request received: method, URL and headers. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https', requests: TestServer['requests']): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  return listen(server, 'http', requests);
}

/** A self-signed certificate for 127.0.0.1, made with openssl in a scratch directory that is gone once it is read. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = scratchDir('tls');
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function startTlsServer(tls: { key: string; cert: string }, handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  return listen(server, 'https', requests);
}

export const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};
