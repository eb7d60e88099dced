/** `keys:*`: metadata, and the one explicit reveal. */
import { z } from 'zod';
import { SCOPE_MAX_LENGTH, SCOPES_MAX_COUNT, SECRET_MAX_BYTES } from '../shared/rules.ts';
import type { DomainIpc } from './domain.ts';
import { keyRef, name, text } from './schema-parts.ts';

export const keysIpc = {
  'keys:list': { input: z.strictObject({ tenant: name.optional() }), handle: (input, { services }) => services.vault.listKeys(input) },
  'keys:add': {
    input: z.strictObject({
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
    handle: async (input, { services, emit }) => {
      const key = await services.vault.addKey(input);
      emit('vault:changed', { reason: 'key added' });
      return key;
    },
  },
  'keys:reveal': { input: keyRef, handle: async (input, { services }) => ({ secret: await services.vault.revealKey(input) }) },
  'keys:remove': {
    input: keyRef,
    handle: async (input, { services, emit }) => {
      const { keychainEntry } = await services.vault.removeKey(input);
      emit('vault:changed', { reason: 'key removed' });
      return { removed: { tenant: input.tenant, name: input.name }, keychainEntry };
    },
  },
} satisfies DomainIpc<'keys'>;
