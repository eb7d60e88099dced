/** Response helpers in the shape of an ASP.NET Core server: JSON bodies and RFC 7807 problems. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

const TITLES: Record<number, [string, string]> = {
  400: ['One or more validation errors occurred.', 'https://tools.ietf.org/html/rfc9110#section-15.5.1'],
  401: ['Unauthorized', 'https://tools.ietf.org/html/rfc9110#section-15.5.2'],
  403: ['Forbidden', 'https://tools.ietf.org/html/rfc9110#section-15.5.4'],
  404: ['Not Found', 'https://tools.ietf.org/html/rfc9110#section-15.5.5'],
  405: ['Method Not Allowed', 'https://tools.ietf.org/html/rfc9110#section-15.5.6'],
  409: ['Conflict', 'https://tools.ietf.org/html/rfc9110#section-15.5.10'],
  413: ['Content Too Large', 'https://tools.ietf.org/html/rfc9110#section-15.5.14'],
  415: ['Unsupported Media Type', 'https://tools.ietf.org/html/rfc9110#section-15.5.16'],
  429: ['Too Many Requests', 'https://tools.ietf.org/html/rfc6585#section-4'],
  500: ['An error occurred while processing your request.', 'https://tools.ietf.org/html/rfc9110#section-15.6.1'],
  503: ['Service Unavailable', 'https://tools.ietf.org/html/rfc9110#section-15.6.4'],
};

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** An RFC 7807 problem, with `errors` for validation problems. */
export function sendProblem(response: ServerResponse, status: number, detail?: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  const [title, type] = TITLES[status] ?? ['Error', 'about:blank'];
  const body = { type, title, status, ...(detail === undefined ? {} : { detail }), ...extra, traceId: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00` };
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

export function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Length': 0, ...headers });
  response.end();
}

export const MAX_BODY_BYTES = 64 * 1024;

export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const JSON_TYPES = /^(application\/json|text\/json|application\/[a-z0-9.+-]+\+json)$/i;

/** Reads a JSON request body of an accepted content type, at most 64 KiB. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!JSON_TYPES.test(type)) throw new BodyError(415, 'Send the body as application/json.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'The body is not valid JSON.');
  }
}
