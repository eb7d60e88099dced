/**
 * The one HTTP client for everything that talks to a vendor: key checks now, admin calls later.
 * Built on undici, it promises what a key tester must:
 * - connect, header and body timeouts plus an overall deadline;
 * - at most `maxBodyBytes` (1 MiB) of any body is read, then the stream is dropped;
 * - redirects are never followed (a 3xx comes back as a response), so a key is never re-sent;
 * - secrets travel only in headers: a URL that contains one is refused;
 * - plain http only to loopback (127.0.0.0/8, ::1, localhost), and loopback never through a proxy;
 * - a path with "." or ".." segments is refused: the request sent is the request shown and recorded;
 * - HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured as curl reads them (proxy.ts); the system CAs
 *   and an optional extra CA file are trusted;
 * - a failure comes back classified (tls, dns, refused, reset, timeout), never as a thrown error, and
 *   its message never contains a header value.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { createRequire } from 'node:module';
import type { Agent, Dispatcher, ProxyAgent } from 'undici';
import type * as Undici from 'undici';
import { isLoopbackHost } from '../../shared/rules.ts';
import { VaultError } from '../errors.ts';
import { Deadlines, type InFlight } from './deadlines.ts';
import { proxyFor, proxySettings, type ProxySettings } from './proxy.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export type NetworkFailure = 'tls' | 'dns' | 'refused' | 'reset' | 'timeout' | 'network';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  /** Headers whose values are not secret. */
  headers?: Record<string, string>;
  /** Headers whose values are secret (API keys, bearer tokens): never logged, never in a URL. */
  secretHeaders?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
}

export interface HttpResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string>;
  /** At most maxBodyBytes of the body. */
  body: Buffer;
  truncated: boolean;
  durationMs: number;
}

export interface HttpFailure {
  kind: 'failure';
  failure: NetworkFailure;
  /** The underlying error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, UND_ERR_HEADERS_TIMEOUT …). */
  code: string;
  message: string;
  durationMs: number;
}

export type HttpOutcome = HttpResponse | HttpFailure;

export interface HttpClientOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** The whole exchange, connect to last body byte. */
  deadlineMs?: number;
  maxBodyBytes?: number;
  /** A PEM file of extra CAs to trust (an intercepting corporate proxy's, say). */
  extraCaFile?: string;
  /** Where proxy variables are read from. */
  env?: Record<string, string | undefined>;
  /** Upper bound of connections per origin. */
  connections?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Headers every request carries: who is asking, and that JSON (or a problem) is the answer wanted. */
export const STANDARD_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': 'tenant-key-vault',
  accept: 'application/json, application/problem+json;q=0.9, */*;q=0.5',
};

/**
 * undici, loaded when the first request is sent: a command that sends none (listing keys) does not
 * pay for it (it is the largest module tkv loads).
 */
let undici: typeof Undici | null = null;
const loadUndici = () => (undici ??= createRequire(import.meta.url)('undici') as typeof Undici);

export class HttpClient {
  private directAgent: Dispatcher | null = null;
  private readonly directOptions: Agent.Options;
  /** One agent per proxy URL in use, made on first need. */
  private readonly proxies = new Map<string, Dispatcher>();
  /** The dispatcher chosen for each origin: the proxy rules are read once per origin. */
  private readonly routes = new Map<string, Dispatcher>();
  private readonly proxySettings: ProxySettings;
  private readonly proxyOptions: Omit<ProxyAgent.Options, 'uri'>;
  private readonly deadlineMs: number;
  private readonly maxBodyBytes: number;
  private readonly headersTimeoutMs: number;
  private readonly bodyTimeoutMs: number;
  private readonly deadlines: Deadlines;

  constructor(options: HttpClientOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? 20_000;
    this.deadlines = new Deadlines(this.deadlineMs);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 15_000;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 15_000;
    // The CA list (the system store read whole) is made when the first connection needs it; a CA
    // file given is read now, so that one that cannot be used is said before anything is sent.
    const extraCaFile = options.extraCaFile;
    let ca: string[] | null = extraCaFile ? trustedCas(extraCaFile) : null;
    const tlsOptions = {
      get ca() {
        return (ca ??= trustedCas(extraCaFile));
      },
      timeout: options.connectTimeoutMs ?? 5_000,
    };
    const common = { headersTimeout: this.headersTimeoutMs, bodyTimeout: this.bodyTimeoutMs, connections: options.connections ?? 16 };
    this.proxySettings = proxySettings(options.env ?? process.env);
    this.proxyOptions = { ...common, requestTls: tlsOptions, proxyTls: tlsOptions };
    this.directOptions = { ...common, connect: tlsOptions };
  }

  private get direct(): Dispatcher {
    return (this.directAgent ??= new (loadUndici().Agent)(this.directOptions));
  }

  /** The dispatcher for an origin: direct, or through the proxy the environment names for it. */
  private dispatcherFor(origin: string): Dispatcher {
    let dispatcher = this.routes.get(origin);
    if (!dispatcher) {
      const proxy = proxyFor(new URL(origin), this.proxySettings);
      if (proxy === null) dispatcher = this.direct;
      else {
        dispatcher = this.proxies.get(proxy);
        if (!dispatcher) this.proxies.set(proxy, (dispatcher = new (loadUndici().ProxyAgent)({ ...this.proxyOptions, uri: proxy })));
      }
      this.routes.set(origin, dispatcher);
    }
    return dispatcher;
  }

  /** Sends one request. Throws only for a request that must not be sent (INVALID_INPUT). */
  send(input: HttpRequest): Promise<HttpOutcome> {
    let target: { origin: string; path: string };
    try {
      target = assertSendable(input);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const { origin, path } = target;
    const headers: Record<string, string> = { ...STANDARD_HEADERS };
    if (input.json !== undefined) headers['content-type'] = 'application/json';
    if (input.headers) Object.assign(headers, input.headers);
    if (input.secretHeaders) Object.assign(headers, input.secretHeaders);
    return new Promise<HttpOutcome>((resolve) => {
      const exchange = new Exchange(input.method === 'HEAD' ? 0 : this.maxBodyBytes, this.deadlineMs, (outcome) => {
        this.deadlines.finish(exchange);
        resolve(outcome);
      });
      this.deadlines.start(exchange);
      try {
        this.dispatcherFor(origin).dispatch(
          {
            origin,
            path,
            method: input.method,
            headers,
            headersTimeout: this.headersTimeoutMs,
            bodyTimeout: this.bodyTimeoutMs,
            ...(input.json === undefined ? {} : { body: JSON.stringify(input.json) }),
          },
          exchange,
        );
      } catch (error) {
        exchange.onResponseError(null, error as Error);
      }
    });
  }

  /**
   * Closes the connections once the exchanges in flight have ended. Their deadlines still run (the
   * timer never keeps a process alive): an answer that trickles in forever ends at its deadline.
   */
  async close(): Promise<void> {
    await Promise.all([this.directAgent?.close(), ...[...this.proxies.values()].map((proxy) => proxy.close())]);
  }
}

/**
 * One request/response exchange, as an undici dispatch handler: the body is collected up to the
 * cap (then the exchange is aborted and what arrived is kept), and the outcome is settled exactly
 * once, by the response's end, an error, or the overall deadline. No stream, signal or promise
 * per chunk: bulk checks run thousands of these.
 */
class Exchange implements Dispatcher.DispatchHandler, InFlight {
  private readonly started = performance.now();
  dueAt = 0;
  previous: InFlight | null = null;
  next: InFlight | null = null;
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  private settled = false;
  private deadlineHit = false;

  private readonly limit: number;
  private readonly deadlineMs: number;
  private readonly settle: (outcome: HttpOutcome) => void;

  constructor(limit: number, deadlineMs: number, settle: (outcome: HttpOutcome) => void) {
    this.limit = limit;
    this.deadlineMs = deadlineMs;
    this.settle = settle;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The deadline passed while the request waited for a connection.
    if (this.settled) controller.abort(new DOMException('The exchange was abandoned.', 'AbortError'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: informational, the real answer follows
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const room = this.limit - this.size;
    if (chunk.length > room) {
      // Enough: keep what fits, drop the connection's remaining bytes unread.
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.size = this.limit;
      this.truncated = true;
      this.finish();
      controller.abort(new DOMException('The body exceeded the cap.', 'AbortError'));
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.settle({ kind: 'failure', ...classify(error, this.deadlineHit, this.deadlineMs), durationMs: this.elapsed() });
  }

  /** The overall deadline passed: settle now, and stop the exchange if it has started. */
  expire(): void {
    if (this.settled) return;
    this.deadlineHit = true;
    this.onResponseError(null, new DOMException('The overall deadline passed.', 'TimeoutError'));
    this.controller?.abort(new DOMException('The overall deadline passed.', 'TimeoutError'));
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.settle({ kind: 'response', status: this.status, headers: this.headers, body, truncated: this.truncated, durationMs: this.elapsed() });
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

/**
 * URLs already judged sendable (https, or plain http to loopback) and split for undici; bulk checks
 * send thousands of requests to a handful of URLs. Bounded: a full cache starts over.
 */
const sendable = new Map<string, { origin: string; path: string }>();
const SENDABLE_LIMIT = 4096;
/** A path undici can send as written: printable ASCII, no fragment. */
const PLAIN_PATH = /^\/[\x21-\x22\x24-\x7e]*$/;

/** Refuses plain http beyond loopback and any URL that carries a secret; splits the URL for undici. */
function assertSendable(input: HttpRequest): { origin: string; path: string } {
  let target = sendable.get(input.url);
  const known = target !== undefined;
  if (!target) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new VaultError('INVALID_INPUT', `"${input.url}" is not a URL.`);
    }
    if (url.protocol !== 'https:') {
      if (url.protocol !== 'http:') throw new VaultError('INVALID_INPUT', `Only https:// URLs are supported (got ${url.protocol}).`);
      if (!isLoopbackHost(url.hostname)) {
        throw new VaultError('INVALID_INPUT', `Refusing to send a key over plain http to ${url.host}: use https://, or http:// only to localhost, 127.0.0.1 or [::1].`);
      }
    }
    // The URL parser resolves dot segments: /api/../admin/config would be sent as /admin/config.
    const rawPath = input.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0]!;
    if (rawPath.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) {
      throw new VaultError('INVALID_INPUT', 'The request path has "." or ".." segments; it would not go where it says. Check the tenant id and the probe path.');
    }
    target = { origin: url.origin, path: `${url.pathname}${url.search}` };
  }
  for (const name in input.secretHeaders) {
    const value = input.secretHeaders[name]!;
    const bare = value.startsWith('Bearer ') ? value.slice(7) : value;
    if (bare.length === 0) continue;
    if (input.url.includes(bare) || (/[^A-Za-z0-9_.~-]/.test(bare) && input.url.includes(encodeURIComponent(bare)))) {
      throw new VaultError('INVALID_INPUT', 'The URL contains the key; a key travels only in a header. Remove it from the URL.');
    }
  }
  // Only a URL that carried none of the secrets is remembered.
  if (!known && PLAIN_PATH.test(target.path)) {
    if (sendable.size >= SENDABLE_LIMIT) sendable.clear();
    sendable.set(input.url, target);
  }
  return target;
}

/** undici's parsed headers, names already lower-case, with repeated headers joined. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
}

const TLS_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_CERT)/;

/** Which wait ran out, in words (the code itself stays in the outcome, for the evidence). */
const TIMEOUT_WORDS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'No connection to the server could be made in time.',
  UND_ERR_HEADERS_TIMEOUT: 'The server did not start answering in time.',
  UND_ERR_BODY_TIMEOUT: 'The server stopped sending its answer partway, and did not go on in time.',
};

/** Classifies a failed exchange by the codes along the error's cause chain. */
function classify(error: unknown, deadlineHit: boolean, deadlineMs: number): { failure: NetworkFailure; code: string; message: string } {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  const has = (pattern: RegExp) => codes.find((code) => pattern.test(code));
  const describe = (text: string, code: string) => ({ code, message: text });
  if (deadlineHit) return { failure: 'timeout', ...describe(`No complete answer within the ${deadlineMs / 1000} s deadline.`, 'DEADLINE') };
  let code = has(TLS_CODES);
  if (code) return { failure: 'tls', ...describe(`The TLS handshake failed (${code}).`, code) };
  code = has(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/);
  if (code) return { failure: 'dns', ...describe(`The host name could not be resolved (${code}).`, code) };
  code = has(/^ECONNREFUSED$/);
  if (code) return { failure: 'refused', ...describe('The connection was refused: nothing listens at that address and port.', code) };
  code = has(/^(UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|ETIMEDOUT)$/);
  if (code) return { failure: 'timeout', ...describe(TIMEOUT_WORDS[code] ?? 'The connection timed out.', code) };
  code = has(/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/);
  if (code) return { failure: 'reset', ...describe(`The connection was reset before a complete answer (${code}).`, code) };
  code = codes[0] ?? 'UNKNOWN';
  return { failure: 'network', ...describe(`The request failed (${code}).`, code) };
}

/** Node's bundled roots, the operating system's store, and an extra PEM file if given. */
function trustedCas(extraCaFile?: string): string[] {
  const cas = new Set<string>(tls.rootCertificates);
  const getter = (tls as { getCACertificates?: (type: 'default' | 'system' | 'bundled' | 'extra') => string[] }).getCACertificates;
  if (getter) {
    for (const type of ['default', 'system'] as const) {
      try {
        for (const ca of getter(type)) cas.add(ca);
      } catch {
        // a store this platform does not have
      }
    }
  }
  if (extraCaFile) {
    let pem: string;
    try {
      pem = fs.readFileSync(extraCaFile, 'utf8');
    } catch (error) {
      throw new VaultError('INVALID_INPUT', `Cannot read the CA file ${extraCaFile} (${(error as Error).message}).`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new VaultError('INVALID_INPUT', `${extraCaFile} holds no PEM certificate.`);
    cas.add(pem);
  }
  return [...cas];
}

/** Seconds from a Retry-After header (delta seconds or an HTTP date), or null. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
