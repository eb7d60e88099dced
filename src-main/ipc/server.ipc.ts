/** `server:*`: a tenant's keys on the vendor's server, and the one show-once rescue of a token. */
import { z } from 'zod';
import { VaultError } from '../core/errors.ts';
import { SECRET_MAX_BYTES } from '../shared/rules.ts';
import type { DomainIpc } from './domain.ts';
import { name, none, scopes } from './schema-parts.ts';

const rescueId = z.strictObject({ id: z.string().uuid() });

export const serverIpc = {
  'server:list': { input: z.strictObject({ tenant: name }), handle: (input, { services }) => services.admin.serverKeys(input.tenant) },
  'server:permissions': { input: z.strictObject({ tenant: name }), handle: (input, { services }) => services.admin.permissionCatalogue(input.tenant) },
  'server:create': {
    input: z.strictObject({ tenant: name, name, permissions: scopes.optional(), like: name.optional(), enabled: z.boolean() }),
    handle: async (input, { services }) => {
      const ref = { tenant: input.tenant, name: input.name };
      const outcome = await services.admin.remoteCreate(
        ref,
        { ...(input.permissions ? { scopes: input.permissions } : {}), ...(input.like ? { like: { tenant: input.tenant, name: input.like } } : {}), enabled: input.enabled },
        // A window can show a token once, should the keychain refuse it after the server created the key.
        { canShowToken: true },
      );
      if (outcome.stored) return { stored: true as const, key: outcome.key };
      const id = services.unsaved.hold({ key: ref, remoteName: outcome.definition.name, token: outcome.token, fingerprint: outcome.fingerprint, reason: outcome.reason });
      return { stored: false as const, rescueId: id, remoteName: outcome.definition.name, fingerprint: outcome.fingerprint, reason: outcome.reason };
    },
  },
  'server:update': {
    input: z.strictObject({ tenant: name, name, enabled: z.boolean().optional(), permissions: scopes.optional() }),
    handle: (input, { services }) => services.admin.updateServerKey(input.tenant, input.name, { ...(input.enabled === undefined ? {} : { enabled: input.enabled }), ...(input.permissions ? { scopes: input.permissions } : {}) }),
  },
  'server:delete': {
    input: z.strictObject({ tenant: name, name }),
    handle: (input, { services }) => services.admin.deleteServerKey(input.tenant, input.name),
  },
  'server:set-bearer': {
    input: z.strictObject({ tenant: name, token: z.string().min(1).max(SECRET_MAX_BYTES), expiresAt: z.string().max(40).nullable() }),
    handle: async (input, { services }) => {
      await services.tenants.setBearer(input.tenant, input.token, input.expiresAt);
      return services.admin.credentialInfo(input.tenant);
    },
  },
  'server:unsaved': { input: none, handle: (_, { services }) => services.unsaved.list() },
  'server:copy-unsaved': {
    input: rescueId,
    handle: async (input, { services, secretClipboard }) => {
      const held = services.unsaved.get(input.id);
      if (!held) throw new VaultError('NOT_FOUND', 'That token is no longer held: it was forgotten when its dialog closed.');
      await secretClipboard.copy(held.token);
      return { copied: true as const };
    },
  },
  'server:forget-unsaved': { input: rescueId, handle: (input, { services }) => ({ forgotten: services.unsaved.forget(input.id) }) },
} satisfies DomainIpc<'server'>;
