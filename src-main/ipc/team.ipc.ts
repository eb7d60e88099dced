/** `team:*`: the team this vault shares keys with (core/team). Nothing here carries a secret or a private key. */
import path from 'node:path';
import { z } from 'zod';
import type { DomainIpc } from './domain.ts';
import { keyRef, none } from './schema-parts.ts';

const location = z.string().min(1).max(4096);
const member = z.string().min(1).max(64);
const publicKey = z.string().min(1).max(200);

export const teamIpc = {
  'team:status': { input: none, handle: (_, { services }) => services.team.status() },
  'team:identity': { input: none, handle: (_, { services }) => services.team.identity() },
  'team:new-identity': { input: none, handle: (_, { services }) => services.team.newIdentity() },
  'team:init': {
    input: z.strictObject({ dir: location, name: z.string().min(1).max(80), member, remote: location.optional() }),
    handle: (input, { services }) => services.team.init(input.dir, { name: input.name, member: input.member, ...(input.remote === undefined ? {} : { remote: input.remote }) }),
  },
  'team:join': {
    input: z.strictObject({ source: location, into: location.optional() }),
    handle: (input, { services }) => services.team.join(input.source, { into: input.into ?? path.join(services.paths.dataDir, 'team') }),
  },
  'team:inventory': { input: none, handle: (_, { services }) => services.team.inventory(services.review.settings()) },
  'team:leave': { input: none, handle: (_, { services }) => services.team.leave() },
  'team:pull': { input: none, handle: (_, { services }) => services.team.pull() },
  'team:push': { input: none, handle: (_, { services }) => services.team.push() },
  'team:share': {
    input: z.strictObject({ key: keyRef, to: z.union([z.literal('all'), z.array(member).min(1).max(200)]).optional(), metadataOnly: z.boolean().optional() }),
    handle: (input, { services }) => services.team.share({ key: input.key, ...(input.to === undefined ? {} : { to: input.to }), ...(input.metadataOnly ? { metadataOnly: true } : {}) }),
  },
  'team:add-member': {
    input: z.strictObject({ name: member, recipient: publicKey, signingKey: publicKey }),
    handle: (input, { services }) => services.team.addMember(input.name, input.recipient, input.signingKey),
  },
  'team:remove-member': {
    input: z.strictObject({ name: member }),
    handle: async (input, { services }) => services.team.removeMember(input.name),
  },
  'team:resolve': {
    input: z.strictObject({ path: z.string().min(1).max(1024).regex(/^keys\//), choice: z.union([z.literal('mine'), z.strictObject({ version: z.string().regex(/^[0-9a-f]{20}$/) })]) }),
    handle: (input, { services }) => services.team.resolve(input.path, input.choice),
  },
} satisfies DomainIpc<'team'>;

