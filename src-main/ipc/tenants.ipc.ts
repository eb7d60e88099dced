/** `tenants:*`. */
import { z } from 'zod';
import { ENVIRONMENTS } from '../shared/rules.ts';
import { PROVIDERS } from '../shared/contract/tenants.ts';
import type { DomainIpc } from './domain.ts';
import { name, none, text } from './schema-parts.ts';

export const tenantsIpc = {
  'tenants:list': { input: none, handle: (_, { services }) => services.tenants.list() },
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
    handle: (input, { services }) => services.tenants.add(input),
  },
  'tenants:remove': {
    input: z.strictObject({ alias: name, withKeys: z.boolean().optional() }),
    handle: (input, { services }) => services.tenants.remove(input.alias, { withKeys: input.withKeys === true }),
  },
} satisfies DomainIpc<'tenants'>;
