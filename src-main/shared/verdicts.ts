/**
 * Verdict names of a key check, shared by core, CLI and renderer. The probes that produce them
 * come with the key-check work; the names are fixed here so the inventory can already store them.
 */
export const VERDICTS = [
  'valid',
  'unauthorized',
  'forbidden',
  'not_found',
  'throttled',
  'server_error',
  'redirected',
  'unexpected_status',
  'network_error',
  'tls_error',
  'timeout',
] as const;

export type Verdict = (typeof VERDICTS)[number];
