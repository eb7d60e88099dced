/**
 * The handler that answers `app://tenant-key-vault/…` with the built renderer: app-protocol.ts
 * registers it with Electron's `protocol.handle`, and the browser tests answer Chromium's requests
 * with the very same function, so the CSP, the MIME types and the paths they see are a user's.
 *
 * It reads the files itself rather than through `net.fetch(file://…)`, whose answer for a missing
 * file is a rejection (net::ERR_FILE_NOT_FOUND) that `protocol.handle` turns into ERR_UNEXPECTED, and
 * whose MIME type is Chromium's guess: here a missing asset is a 404, and every type is stated, as
 * the `nosniff` header requires of scripts and styles.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, CONTENT_SECURITY_POLICY } from './shared/content-security-policy.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Headers every answer carries, a 404 included. */
function headers(type: string): Headers {
  return new Headers({ 'Content-Type': type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' });
}

const notFound = () => new Response('Not found', { status: 404, headers: headers('text/plain; charset=utf-8') });

/** Answers requests for files under `rendererDir`; anything else (another host, outside it, missing) is a 404. */
export function rendererHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers: headers('text/plain; charset=utf-8') });
    // The scheme is not special to Node's URL parser, but host and path parse as Chromium gives them.
    const url = new URL(request.url);
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      return notFound();
    }
    const file = path.resolve(root, `.${relative}`);
    if (url.host !== APP_HOST || !file.startsWith(root + path.sep)) return notFound();
    const type = TYPES[path.extname(file).toLowerCase()];
    try {
      if (!type || !(await stat(file)).isFile()) return notFound();
      return new Response(request.method === 'HEAD' ? null : await readFile(file), { status: 200, headers: headers(type) });
    } catch {
      return notFound();
    }
  };
}
