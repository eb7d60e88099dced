/**
 * The HTTP client a command's flags ask for: `--timeout-ms N` (each wait and the whole answer) and
 * `--ca-file PEM` (an intercepting proxy's CA). Read before the vault's services are built, so a
 * stored key's check, a bulk run and the server's word go through the client they describe.
 */
import type { HttpClientOptions } from '../core/http/http-client.ts';
import type { ParsedCommand } from './spec.ts';

export function httpFlags(parsed: ParsedCommand): Omit<HttpClientOptions, 'env'> {
  const timeoutMs = typeof parsed.values['timeout-ms'] === 'number' ? parsed.values['timeout-ms'] : undefined;
  const caFile = typeof parsed.values['ca-file'] === 'string' ? parsed.values['ca-file'] : undefined;
  return {
    ...(timeoutMs ? { deadlineMs: timeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 10_000) } : {}),
    ...(caFile ? { extraCaFile: caFile } : {}),
    connections: 64,
  };
}
