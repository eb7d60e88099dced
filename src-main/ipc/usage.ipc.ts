/** `usage:*` and `watch:*`: a key's use, a rotation's overlap evidence, a tenant's usage query; the app's watch. */
import { z } from 'zod';
import { VaultError } from '../core/errors.ts';
import { formatKeyRef } from '../core/keys/key-ref.ts';
import type { DomainIpc } from './domain.ts';
import { keyRef, name, none } from './schema-parts.ts';

const column = z.string().min(1).max(64);

export const usageIpc = {
  'usage:key': { input: z.strictObject({ key: keyRef, since: z.string().min(2).max(8).optional() }), handle: (input, { services }) => services.usage.usage(input.key, input.since === undefined ? {} : { since: input.since }) },
  'usage:overlap': {
    input: z.strictObject({ key: keyRef }),
    handle: (input, { services }) => {
      const rotation = services.rotations.list().find((candidate) => candidate.key.tenant === input.key.tenant && candidate.key.name === input.key.name && candidate.state === 'overlap');
      if (!rotation) throw new VaultError('NOT_FOUND', `${formatKeyRef(input.key)} has no rotation in its overlap.`);
      return services.usage.overlap(rotation);
    },
  },
  'usage:settings': { input: z.strictObject({ tenant: name }), handle: (input, { services }) => services.usage.settings(input.tenant) },
  'usage:configure': {
    input: z.strictObject({
      tenant: name,
      template: z.string().min(1).max(4000).nullable().optional(),
      columns: z.strictObject({ key: column.optional(), time: column.optional(), address: column.nullable().optional(), userAgent: column.nullable().optional() }).optional(),
      reset: z.boolean().optional(),
    }),
    handle: ({ tenant, ...change }, { services }) => services.usage.configure(tenant, { ...(change.template === undefined ? {} : { template: change.template }), ...(change.columns ? { columns: change.columns } : {}), ...(change.reset ? { reset: true } : {}) }),
  },
} satisfies DomainIpc<'usage'>;

export const watchIpc = {
  'watch:status': { input: none, handle: (_, { services }) => services.watch.status() },
  'watch:seen': { input: none, handle: (_, { services }) => services.watch.seen() },
  'watch:snooze': { input: z.strictObject({ key: keyRef, days: z.number().int().min(1).max(90).nullable() }), handle: (input, { services }) => services.watch.snooze(input.key, input.days) },
  'watch:run': {
    input: none,
    handle: async (_, { services }) => {
      await services.watch.round({ force: true });
      return services.watch.status();
    },
  },
  'watch:set-settings': {
    input: z.strictObject({ enabled: z.boolean().optional(), recheckHours: z.number().int().min(1).max(2160).optional(), expiringDays: z.number().int().min(0).max(365).optional(), overlapDays: z.number().int().min(1).max(365).optional() }),
    handle: (input, { services }) => services.watch.setSettings(input),
  },
} satisfies DomainIpc<'watch'>;
