/**
 * What can be tuned in a running sandbox: faults per route, throttling per tenant and key, and how
 * 401/403 answer (the real server's choice is unknown). Set by the sandbox command's flags at start and by
 * PUT /_sandbox/config.
 */
import { z } from 'zod';

/** A route pattern: `METHOD PATH`, where METHOD may be `*` and `*` in PATH matches anything. */
export const FaultRuleSchema = z.strictObject({
  route: z.string().regex(/^(\*|GET|HEAD|POST|PUT|DELETE|PATCH) \/\S*$/, 'route must look like "GET /api/*/admin/config"'),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** Share of matching requests answered with 500, from 0 to 1. */
  failureRate: z.number().min(0).max(1).optional(),
  /** Destroy the connection with a TCP reset instead of answering. */
  reset: z.boolean().optional(),
  /** Never answer (until the client gives up or the sandbox stops). */
  hang: z.boolean().optional(),
  /** Do the work (a create really creates), then reset the connection instead of answering: a lost response. */
  dropResponse: z.boolean().optional(),
  /**
   * Accept any non-empty key (or bearer token) with every permission, as a gateway, a mock or an
   * endpoint without authentication would: what the negative control is there to catch.
   */
  acceptAnyKey: z.boolean().optional(),
});

export const BucketSchema = z.strictObject({
  capacity: z.number().int().min(1).max(1_000_000),
  refillPerSecond: z.number().positive().max(1_000_000),
  status: z.union([z.literal(429), z.literal(503)]).default(429),
  retryAfter: z.boolean().default(true),
});

export const SandboxConfigSchema = z.strictObject({
  faults: z.array(FaultRuleSchema).max(100).default([]),
  throttle: z
    .strictObject({
      /** Tenant id (or `*` for each tenant) → one bucket shared by all its requests. */
      tenants: z.record(z.string(), BucketSchema).default({}),
      /** `tenantId/keyName` → a bucket for requests made with that key. */
      keys: z.record(z.string(), BucketSchema).default({}),
    })
    .default({ tenants: {}, keys: {} }),
  /** `problem`: ProblemDetails bodies; `empty`: no body and a WWW-Authenticate header (ASP.NET's default). */
  authChallenge: z.enum(['problem', 'empty']).default('problem'),
});

export type FaultRule = z.infer<typeof FaultRuleSchema>;
export type Bucket = z.infer<typeof BucketSchema>;
export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;

export function defaultSandboxConfig(): SandboxConfig {
  return SandboxConfigSchema.parse({});
}

/** True when `rule.route` matches the request. */
export function routeMatches(route: string, method: string, pathname: string): boolean {
  const [ruleMethod = '', pattern = ''] = route.split(' ');
  if (ruleMethod !== '*' && ruleMethod !== method) return false;
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(pathname);
}
