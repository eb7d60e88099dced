/**
 * The one HTTP client for everything that talks to a vendor: key checks now, admin calls later.
 * Built on undici, it promises what a key tester must:
 * - connect, header and body timeouts plus an overall deadline;
 * - at most `maxBodyBytes` (1 MiB) of any body is read, then the stream is dropped;
 * - redirects are never followed (a 3xx comes back as a response), so a key is never re-sent;
 * - secrets travel only in headers: a URL that contains one is refused;
 * - plain http only to loopback;
 * - HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured; the system CAs and an optional extra CA file
 *   are trusted;
 * - a failure comes back classified (tls, dns, refused, reset, timeout), never as a thrown error, and
 *   its message never contains a header value.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { isLoopbackHost } from '../../shared/rules.ts';
import { VaultError } from '../errors.ts';

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

export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly deadlineMs: number;
  private readonly maxBodyBytes: number;
  private readonly headersTimeoutMs: number;
  private readonly bodyTimeoutMs: number;
  private readonly deadlines = new Deadlines();

  constructor(options: HttpClientOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? 20_000;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 15_000;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 15_000;
    const tlsOptions = { ca: trustedCas(options.extraCaFile), timeout: options.connectTimeoutMs ?? 5_000 };
    const env = options.env ?? process.env;
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
    const common = { headersTimeout: this.headersTimeoutMs, bodyTimeout: this.bodyTimeoutMs, connections: options.connections ?? 16 };
    this.dispatcher = proxied
      ? new EnvHttpProxyAgent({
          ...common,
          connect: tlsOptions,
          requestTls: tlsOptions,
          ...proxyEnv(env),
        })
      : new Agent({ ...common, connect: tlsOptions });
  }

  /** Sends one request. Throws only for a request that must not be sent (INVALID_INPUT). */
  async send(input: HttpRequest): Promise<HttpOutcome> {
    const url = assertSendable(input);
    const started = performance.now();
    const deadline = this.deadlines.start(this.deadlineMs);
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await request(url, {
        method: input.method,
        dispatcher: this.dispatcher,
        signal: deadline,
        headersTimeout: this.headersTimeoutMs,
        bodyTimeout: this.bodyTimeoutMs,
        headers: {
          'user-agent': 'tenant-key-vault',
          accept: 'application/json, application/problem+json;q=0.9, */*;q=0.5',
          ...(input.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...input.headers,
          ...input.secretHeaders,
        },
        ...(input.json === undefined ? {} : { body: JSON.stringify(input.json) }),
      });
      const { body, truncated } = await readCapped(response.body, this.maxBodyBytes, response.headers['content-length']);
      return { kind: 'response', status: response.statusCode, headers: flattenHeaders(response.headers), body, truncated, durationMs: elapsed() };
    } catch (error) {
      return { kind: 'failure', ...classify(error, deadline.aborted, this.deadlineMs), durationMs: elapsed() };
    } finally {
      this.deadlines.finish(deadline);
    }
  }

  close(): Promise<void> {
    this.deadlines.stop();
    return this.dispatcher.close();
  }
}

/**
 * Overall deadlines of in-flight requests, enforced by one shared timer instead of one timer per
 * request (bulk checks send thousands). Precision is the sweep interval, 50 ms.
 */
class Deadlines {
  private readonly active = new Map<AbortController, number>();
  private timer: NodeJS.Timeout | null = null;

  start(ms: number): AbortSignal & { controller?: AbortController } {
    const controller = new AbortController();
    this.active.set(controller, performance.now() + ms);
    this.timer ??= setInterval(() => this.sweep(), 50).unref();
    return Object.assign(controller.signal, { controller });
  }

  finish(signal: AbortSignal & { controller?: AbortController }): void {
    if (signal.controller) this.active.delete(signal.controller);
    if (this.active.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(): void {
    const now = performance.now();
    for (const [controller, at] of this.active) {
      if (at <= now) {
        this.active.delete(controller);
        controller.abort(new DOMException('The overall deadline passed.', 'TimeoutError'));
      }
    }
  }
}

/** Refuses plain http beyond loopback, and any URL that carries a secret. */
/** Plain-http origins already judged to be loopback; bulk checks send thousands to one origin. */
const loopbackOrigins = new Set<string>();

function assertSendable(input: HttpRequest): string {
  const lower = input.url.slice(0, 8).toLowerCase();
  const slash = input.url.indexOf('/', 8);
  const origin = slash < 0 ? input.url : input.url.slice(0, slash);
  // https needs no parse here (undici parses it); plain http is parsed once per origin to judge its host.
  if (!lower.startsWith('https://') && !loopbackOrigins.has(origin)) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new VaultError('INVALID_INPUT', `"${input.url}" is not a URL.`);
    }
    if (url.protocol !== 'http:') throw new VaultError('INVALID_INPUT', `Only https:// URLs are supported (got ${url.protocol}).`);
    if (!isLoopbackHost(url.hostname)) {
      throw new VaultError('INVALID_INPUT', `Refusing to send a key over plain http to ${url.host}: use https://, or http:// only to localhost/127.0.0.1.`);
    }
    if (url.origin === origin && loopbackOrigins.size < 256) loopbackOrigins.add(origin);
  }
  for (const value of Object.values(input.secretHeaders ?? {})) {
    const bare = value.startsWith('Bearer ') ? value.slice(7) : value;
    if (bare.length === 0) continue;
    if (input.url.includes(bare) || (/[^A-Za-z0-9_.~-]/.test(bare) && input.url.includes(encodeURIComponent(bare)))) {
      throw new VaultError('INVALID_INPUT', 'The URL contains the key; a key travels only in a header. Remove it from the URL.');
    }
  }
  return input.url;
}

/** Reads at most `limit` bytes, then drops the rest of the stream unread. */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void; arrayBuffer(): Promise<ArrayBuffer> },
  limit: number,
  contentLength: string | string[] | undefined,
): Promise<{ body: Buffer; truncated: boolean }> {
  // A declared length within the cap is read in one go: HTTP framing ends the body there.
  const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  if (Number.isInteger(declared) && declared >= 0 && declared <= limit) return { body: Buffer.from(await body.arrayBuffer()), truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      body.destroy();
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

const TLS_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_CERT)/;

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
  if (code) return { failure: 'timeout', ...describe(`The server did not answer in time (${code}).`, code) };
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

function proxyEnv(env: Record<string, string | undefined>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } {
  const pick = (...names: string[]) => names.map((name) => env[name]).find((value) => value !== undefined && value !== '');
  const httpProxy = pick('http_proxy', 'HTTP_PROXY');
  const httpsProxy = pick('https_proxy', 'HTTPS_PROXY') ?? httpProxy;
  const noProxy = pick('no_proxy', 'NO_PROXY');
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}
