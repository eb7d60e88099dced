/**
 * The compact flag forms of sandbox configuration, for the CLI's sandbox command:
 *   --fault 'latency=200,fail=0.5@GET /api/*\/admin/config'   (modes: latency=MS, fail=RATE, reset, hang, drop, accept-any-key)
 *   --throttle 'demo=5/s,burst=10,status=503,no-retry-after'  (target: tenant id, *, or tenant/key)
 */
import type { Bucket, FaultRule } from './sandbox-config.ts';

/** Parses one --fault value; throws with the expected form on a mistake. */
export function parseFaultFlag(value: string): FaultRule {
  const at = value.indexOf('@');
  if (at < 0) throw new Error(`--fault "${value}" needs MODES@ROUTE, e.g. 'latency=200@GET /api/*/admin/config'`);
  const rule: FaultRule = { route: value.slice(at + 1).trim() };
  for (const mode of value.slice(0, at).split(',')) {
    const [name, raw] = mode.trim().split('=') as [string, string | undefined];
    if (name === 'latency' && raw !== undefined) rule.latencyMs = Number(raw);
    else if (name === 'fail' && raw !== undefined) rule.failureRate = Number(raw);
    else if (name === 'reset' && raw === undefined) rule.reset = true;
    else if (name === 'hang' && raw === undefined) rule.hang = true;
    else if (name === 'drop' && raw === undefined) rule.dropResponse = true;
    else if (name === 'accept-any-key' && raw === undefined) rule.acceptAnyKey = true;
    else throw new Error(`--fault mode "${mode}" is not one of latency=MS, fail=RATE, reset, hang, drop, accept-any-key`);
  }
  return rule;
}

/** Parses one --throttle value into its target and bucket. */
export function parseThrottleFlag(value: string): { target: string; bucket: Bucket } {
  const eq = value.indexOf('=');
  const target = value.slice(0, eq);
  const parts = value.slice(eq + 1).split(',');
  const rate = /^(\d+(?:\.\d+)?)\/s$/.exec(parts[0] ?? '');
  if (eq <= 0 || !rate) throw new Error(`--throttle "${value}" needs TARGET=RATE/s[,burst=N][,status=503][,no-retry-after], e.g. 'demo=5/s,burst=10'`);
  const refillPerSecond = Number(rate[1]);
  const bucket: Bucket = { capacity: Math.max(1, Math.ceil(refillPerSecond)), refillPerSecond, status: 429, retryAfter: true };
  for (const part of parts.slice(1)) {
    const [name, raw] = part.split('=') as [string, string | undefined];
    if (name === 'burst' && raw) bucket.capacity = Number(raw);
    else if (name === 'status' && (raw === '429' || raw === '503')) bucket.status = Number(raw) as 429 | 503;
    else if (name === 'no-retry-after' && raw === undefined) bucket.retryAfter = false;
    else throw new Error(`--throttle option "${part}" is not one of burst=N, status=429|503, no-retry-after`);
  }
  return { target, bucket };
}
