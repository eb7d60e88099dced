/**
 * The HTTP client a command's flags ask for: `--timeout-ms N` (each wait and the whole answer) and
 * `--ca-file PEM` (an intercepting proxy's CA). Read before the vault's services are built, so a
 * stored key's check, a bulk run and the server's word go through the client they describe.
 */
import fs from 'node:fs';
import type { HttpClientOptions } from '../core/http/http-client.ts';
import { UsageError } from './io.ts';
import type { ParsedCommand } from './spec.ts';

export function httpFlags(parsed: ParsedCommand): Omit<HttpClientOptions, 'env'> {
  const timeoutMs = typeof parsed.values['timeout-ms'] === 'number' ? parsed.values['timeout-ms'] : undefined;
  const caFile = typeof parsed.values['ca-file'] === 'string' ? parsed.values['ca-file'] : undefined;
  // Said as the flag's mistake now: once the vault opens, a client that cannot be made reads as a vault that cannot.
  if (caFile !== undefined) {
    let pem: string;
    try {
      pem = fs.readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-file: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return {
    ...(timeoutMs ? { deadlineMs: timeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 10_000) } : {}),
    ...(caFile ? { extraCaFile: caFile } : {}),
    connections: 64,
  };
}
