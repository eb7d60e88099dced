/**
 * One schema per channel for the input the renderer sends. The `satisfies` clause makes the compiler
 * check each schema against the contract, so they cannot drift apart. Schemas bound every string, so
 * an oversized payload is refused before any service sees it; the services then apply the rules.
 */
import { z } from 'zod';
import type { Channel, ChannelInput } from '../shared/contract.ts';
import { ENVIRONMENTS, NAME_MAX_LENGTH, SCOPE_MAX_LENGTH, SCOPES_MAX_COUNT, SECRET_MAX_BYTES, TEXT_MAX_LENGTH } from '../shared/rules.ts';

const name = z.string().min(1).max(NAME_MAX_LENGTH);
const text = z.string().max(TEXT_MAX_LENGTH);
const keyRef = z.strictObject({ tenant: name, name });
const none = z.undefined();

export const CHANNEL_SCHEMAS = {
  'app:info': none,
  'tenants:list': none,
  'tenants:add': z.strictObject({
    alias: name,
    tenantId: name,
    environment: z.enum(ENVIRONMENTS),
    baseUrl: z.string().min(1).max(2048).optional(),
    label: text.optional(),
  }),
  'tenants:remove': z.strictObject({ alias: name, withKeys: z.boolean().optional() }),
  'keys:list': z.strictObject({ tenant: name.optional() }),
  'keys:add': z.strictObject({
    tenant: name,
    name,
    // Characters, not bytes: the byte limit is the service's rule, this one only bounds the payload.
    secret: z.string().min(1).max(SECRET_MAX_BYTES),
    scopes: z.array(z.string().max(SCOPE_MAX_LENGTH)).max(SCOPES_MAX_COUNT).optional(),
    notes: text.optional(),
    expiresOn: z.string().max(10).optional(),
    owner: text.optional(),
    admin: z.boolean().optional(),
  }),
  'keys:reveal': keyRef,
  'keys:remove': keyRef,
  'vault:reconcile': none,
} satisfies { [C in Channel]: z.ZodType<ChannelInput<C>> };

/** A short description of why input was refused: field paths and rules, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message}`)
    .join('; ');
}
