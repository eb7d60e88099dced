/** `tenants:*`. */
import { z } from 'zod';
import { ENVIRONMENTS } from '../shared/rules.ts';
import { PROVIDERS } from '../shared/contract/tenants.ts';
import type { DomainIpc } from './domain.ts';
import { name, none, text } from './schema-parts.ts';

export const tenantsIpc = {
  'tenants:list': { input: none, handle: (_, { services }) => services.vault.listTenants() },
  'tenants:add': {
    input: z.strictObject({
      alias: name,
      tenantId: name,
      environment: z.enum(ENVIRONMENTS),
      baseUrl: z.string().min(1).max(2048).optional(),
      label: text.optional(),
      provider: z.enum(PROVIDERS).optional(),
      clientId: name.optional(),
      loginAs: name.optional(),
    }),
    handle: (input, { services, emit }) => {
      const tenant = services.vault.addTenant(input);
      emit('vault:changed', { reason: 'tenant added' });
      return tenant;
    },
  },
  'tenants:remove': {
    input: z.strictObject({ alias: name, withKeys: z.boolean().optional() }),
    handle: async (input, { services, emit }) => {
      const result = await services.vault.removeTenant(input.alias, { withKeys: input.withKeys === true });
      emit('vault:changed', { reason: 'tenant removed' });
      return result;
    },
  },
} satisfies DomainIpc<'tenants'>;
