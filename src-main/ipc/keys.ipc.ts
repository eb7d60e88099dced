/** `keys:*`: metadata, and the one explicit reveal. */
import { z } from 'zod';
import { KEY_SORT_COLUMNS } from '../shared/contract.ts';
import { ENVIRONMENTS, NAME_MAX_LENGTH, SCOPE_MAX_LENGTH, SECRET_MAX_BYTES } from '../shared/rules.ts';
import { VERDICTS } from '../shared/verdicts.ts';
import type { DomainIpc } from './domain.ts';
import { keyFieldsToAdd, keyFieldsToEdit, keyRef, name } from './schema-parts.ts';

const query = z.strictObject({
  search: z.string().max(200).optional(),
  tenant: name.optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  judgement: z.enum([...VERDICTS, 'never', 'not-judged']).optional(),
  attempt: z.enum(VERDICTS).optional(),
  expiry: z.enum(['expired', 'within-7', 'within-30']).optional(),
  admin: z.boolean().optional(),
  wildcard: z.boolean().optional(),
  neverChecked: z.boolean().optional(),
  expiresFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  expiresTo: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  changedFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  changedTo: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  noOwner: z.boolean().optional(),
  scope: z.string().min(1).max(SCOPE_MAX_LENGTH).optional(),
  ids: z.array(z.string().min(1).max(64)).max(10_000).optional(),
});
const sort = z.strictObject({ column: z.enum(KEY_SORT_COLUMNS), direction: z.enum(['asc', 'desc']) });

export const keysIpc = {
  'keys:page': {
    input: z.strictObject({
      query,
      sort,
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(500),
    }),
    handle: (input, { services }) => services.keys.page(input.query, input.sort, input.offset, input.limit),
  },
  'keys:count': { input: z.strictObject({ query }), handle: (input, { services }) => ({ total: services.keys.count(input.query) }) },
  'keys:position': {
    input: z.strictObject({ key: keyRef, query, sort }),
    handle: (input, { services }) => ({ index: services.keys.position(input.key, input.query, input.sort) }),
  },
  'keys:detail': { input: keyRef, handle: (input, { services }) => services.keys.detail(input) },
  'keys:edit': {
    input: z.strictObject({
      tenant: name,
      name,
      changes: z.strictObject({
        ...keyFieldsToEdit,
        remoteName: z.string().min(1).max(NAME_MAX_LENGTH).optional(),
        admin: z.boolean().optional(),
      }),
    }),
    handle: (input, { services }) => services.keys.edit({ tenant: input.tenant, name: input.name }, input.changes),
  },
  'keys:copy': {
    input: keyRef,
    // The secret goes from the keychain to the clipboard here, in the main process, never to the page.
    handle: async (input, { services, secretClipboard }) => secretClipboard.copy(await services.keys.secretForCopy(input)),
  },
  'keys:add': {
    input: z.strictObject({
      tenant: name,
      name,
      // Characters, not bytes: the byte limit is the service's rule, this one only bounds the payload.
      secret: z.string().min(1).max(SECRET_MAX_BYTES),
      ...keyFieldsToAdd,
      admin: z.boolean().optional(),
    }),
    handle: (input, { services }) => services.keys.add(input),
  },
  'keys:reveal': { input: keyRef, handle: async (input, { services }) => ({ secret: await services.keys.reveal(input) }) },
  'keys:remove': {
    input: keyRef,
    handle: async (input, { services }) => {
      const { keychainEntry } = await services.keys.remove(input);
      return { removed: { tenant: input.tenant, name: input.name }, keychainEntry };
    },
  },
  'keys:replace': {
    input: z.strictObject({ tenant: name, name, secret: z.string().min(1).max(SECRET_MAX_BYTES) }),
    handle: async (input, { services }) => {
      const ref = { tenant: input.tenant, name: input.name };
      const before = services.keys.show(ref);
      // Pasted keys often carry a newline or spaces: trimmed, and said so.
      const secret = input.secret.trim();
      const { result, oldDropped } = await services.rotations.replaceAfterRegenerate(ref, secret);
      return { key: services.keys.show(ref), oldFingerprint: before.fingerprint, probe: result.probe.id, verdict: result.verdict, trimmed: secret !== input.secret, oldDropped };
    },
  },
} satisfies DomainIpc<'keys'>;
