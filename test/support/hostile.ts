/**
 * A hostile server for the leak tests: a reverse proxy in front of the sandbox that learns every
 * secret that passes through it (API keys and bearer tokens in requests, tokens in the sandbox's
 * answers) and echoes all of them back, in every form a careless or malicious server could use, in
 * everything it answers: headers, ProblemDetails `detail`/`title`/`instance`/`errors`, `Location`,
 * key names in lists, and a body excerpt cut exactly where a secret starts. Routes can be told to
 * fail with such a problem instead of answering, for keys that open something; a key nobody issued
 * gets a 401 there, as a real API gives it.
 *
 * Everything offered is echoed, but only what opens something counts as a secret (`secrets`, what
 * the leak tests search for): a key the sandbox behind refuses with 401 and nobody else has shown
 * to open anything — the negative control's key, made up and never issued — is worthless. (The
 * vault's own keys are searched for from the keychain, whatever the server thought of them.)
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXCERPT_CHARS } from '../../src-main/core/checks/verdict.ts';
import { htmlNumeric, jsonEveryChar, percentEveryByte, wrapLines } from './escapes.ts';

type Echo =
  | 'literal'
  | 'percentUpper'
  | 'percentLower'
  | 'formEncoded'
  | 'jsonEscaped'
  | 'base64'
  | 'base64url'
  | 'basicAuth'
  | 'hex'
  | 'split'
  | 'cutAfter20'
  | 'percentEveryByte'
  | 'jsonEveryChar'
  | 'htmlDecimal'
  | 'htmlHex'
  | 'base64Wrapped76'
  | 'hexUpper';

/** Every way the hostile server writes a secret back, by name. */
export function echoesOf(secret: string): Record<Echo, string> {
  const bytes = Buffer.from(secret);
  const half = Math.floor(secret.length / 2);
  return {
    literal: secret,
    percentUpper: encodeURIComponent(secret),
    percentLower: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    formEncoded: new URLSearchParams({ k: secret }).toString().slice(2),
    jsonEscaped: JSON.stringify(secret).slice(1, -1),
    base64: bytes.toString('base64'),
    base64url: bytes.toString('base64url'),
    basicAuth: Buffer.from(`user:${secret}`).toString('base64'),
    hex: bytes.toString('hex'),
    split: `${secret.slice(0, half)} ... ${secret.slice(half)}`,
    cutAfter20: `${'x'.repeat(8)}${secret.slice(0, 20)}`,
    // Escapes of every character, which no encoder of the usual libraries writes but any server may.
    percentEveryByte: percentEveryByte(secret),
    jsonEveryChar: jsonEveryChar(secret),
    htmlDecimal: htmlNumeric(secret),
    htmlHex: htmlNumeric(secret, 'hex'),
    // What the `base64` tool writes (76 columns), after a prefix so the key starts mid-line.
    base64Wrapped76: wrapLines(Buffer.from(`svc:${secret}`).toString('base64'), 76),
    hexUpper: bytes.toString('hex').toUpperCase(),
  };
}

export interface HostileServer {
  url: string;
  /** Every secret seen so far: every key or token that opened something, and every token the sandbox issued. */
  readonly secrets: Set<string>;
  /** Makes `METHOD /path` (a prefix of the path) answer `status` with a hostile problem instead of forwarding. */
  fail(route: string, status: number): void;
  /** Forwards every request again. */
  reset(): void;
  /** Stops echoing a secret (one no later operation holds, such as a key pasted once). */
  forget(secret: string): void;
  close(): Promise<void>;
}

const TRACE_ID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

export async function startHostileServer(upstream: string): Promise<HostileServer> {
  const secrets = new Set<string>();
  /** Everything offered in a request, echoed whether it opened anything or not. */
  const seen = new Set<string>();
  const failing = new Map<string, number>();
  const learn = (value: string | undefined, opens = true) => {
    const bare = value?.replace(/^Bearer\s+/i, '').trim();
    if (!bare || bare.length < 8) return;
    seen.add(bare);
    if (opens) secrets.add(bare);
  };
  const all = () => [...seen];
  const everyForm = () => all().flatMap((secret) => Object.values(echoesOf(secret)));

  const hostileHeaders = (): Record<string, string> => {
    const forms = echoesOf(all()[0] ?? 'none');
    return {
      'x-request-id': forms.base64,
      'request-id': forms.percentEveryByte,
      'www-authenticate': `Bearer realm="${forms.literal}", error="invalid_token", error_description="${forms.jsonEscaped} ${forms.jsonEveryChar} ${forms.htmlDecimal}"`,
      'x-correlation-id': forms.split,
      server: `hostile/${forms.percentLower}`,
      via: `1.1 ${forms.hex} ${forms.hexUpper} ${forms.htmlHex}`,
      traceparent: TRACE_ID,
    };
  };

  const problem = (status: number, path: string) => {
    const forms = all().map(echoesOf);
    // First, a secret placed so that only its first 8 characters fall inside the excerpt: a cut
    // made before redacting would leave them there, too short to be found as a fragment.
    const [first = ''] = all();
    const body = {
      pad: '.'.repeat(EXCERPT_CHARS - 8 - '{"pad":"'.length - '","cut":"'.length),
      cut: first,
      type: `https://errors.invalid/${forms.map((f) => f.percentUpper).join('/')}`,
      title: forms.map((f) => f.literal).join(' '),
      status,
      detail: forms.map((f) => `${f.jsonEscaped} ${f.base64} ${f.split} ${f.basicAuth} ${f.percentEveryByte} ${f.jsonEveryChar} ${f.htmlDecimal} ${f.htmlHex} ${f.base64Wrapped76} ${f.hexUpper}`).join(' | '),
      instance: `${path}?key=${forms.map((f) => f.percentLower).join('&key=')}`,
      traceId: TRACE_ID,
      errors: Object.fromEntries(forms.flatMap((f, index) => [[f.literal, [f.base64url, f.hex]], [`name${index}`, [f.formEncoded, f.split]], [f.htmlHex, [f.base64Wrapped76, f.percentEveryByte]]])),
    };
    return JSON.stringify(body);
  };

  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      console.error('[hostile server]', error);
      response.destroy();
    });
  });

  const upstreamHeaders = (request: IncomingMessage) => Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as [string, string][]);
  const learnFrom = (request: IncomingMessage, opens: boolean) => {
    learn(request.headers['x-api-key'] as string | undefined, opens);
    learn(request.headers.authorization, opens);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    let status = [...failing].find(([route]) => `${request.method} ${path}`.startsWith(route))?.[1];
    if (status !== undefined) {
      // Whether the key opens anything, asked of the sandbox behind (a read only; anything else counts as it is).
      let opens = true;
      if (request.method === 'GET' || request.method === 'HEAD') {
        const asked = await fetch(`${upstream}${path}`, { method: request.method, headers: upstreamHeaders(request) });
        await asked.arrayBuffer();
        opens = asked.status !== 401;
      }
      learnFrom(request, opens);
      // A failure is injected for keys that open something; a key no server issued gets the 401 a real API gives it.
      if (!opens) status = 401;
      const headers: Record<string, string> = { 'content-type': 'application/problem+json', ...hostileHeaders() };
      if (status >= 300 && status < 400) headers.location = `https://elsewhere.invalid/login?key=${encodeURIComponent(all()[0] ?? '')}&b=${Buffer.from(all()[0] ?? '').toString('base64url')}&c=${percentEveryByte(all()[0] ?? '')}`;
      if (status === 429 || status === 503) headers['retry-after'] = '1';
      response.writeHead(status, headers);
      response.end(problem(status, path));
      return;
    }
    const forwarded = await fetch(`${upstream}${path}`, {
      method: request.method ?? 'GET',
      headers: upstreamHeaders(request),
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    learnFrom(request, forwarded.status !== 401);
    let text = await forwarded.text();
    const type = forwarded.headers.get('content-type') ?? '';
    if (type.includes('json') && text) {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && typeof (parsed as { token?: unknown }).token === 'string') learn((parsed as { token: string }).token);
      // A list of keys: add keys named after every secret, in every form.
      if (Array.isArray(parsed) && path.endsWith('/admin/apiKeys')) {
        for (const form of everyForm().slice(0, 40)) parsed.push({ name: form, enabled: true, permissions: [form] });
        text = JSON.stringify(parsed);
      }
    }
    response.writeHead(forwarded.status, { 'content-type': type || 'text/plain', ...hostileHeaders() });
    response.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secrets,
    fail: (route, status) => failing.set(route, status),
    reset: () => failing.clear(),
    forget: (secret: string) => {
      secrets.delete(secret);
      seen.delete(secret);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
