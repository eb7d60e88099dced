/** `rotations:*`: the guided rotation; every step that talks to the server runs as a job. */
import { z } from 'zod';
import { VaultError } from '../core/errors.ts';
import type { RotationStatus } from '../core/rotation/rotation-service.ts';
import type { KeyRef, RotationJobView, RotationProgress } from '../shared/contract.ts';
import { remember } from './checks.ipc.ts';
import type { DomainIpc } from './domain.ts';
import type { IpcContext } from './ipc-context.ts';
import { keyRef, name, none } from './schema-parts.ts';

/** Runs a rotation step as a job whose progress is the journal's steps for this key's rotation. */
function rotationJob(context: IpcContext, key: KeyRef, work: () => Promise<RotationStatus>): RotationJobView {
  const { services } = context;
  return services.jobs.start<RotationProgress, RotationStatus>('rotation', async ({ report }) => {
    const stop = services.rotations.onStep(key, report);
    try {
      return await work();
    } finally {
      stop();
    }
  });
}

export const rotationsIpc = {
  'rotations:list': { input: none, handle: (_, { services }) => services.rotations.listWithJournals() },
  'rotations:plan': { input: z.strictObject({ key: keyRef }), handle: (input, { services }) => services.rotations.plan(input.key) },
  'rotations:start': {
    input: z.strictObject({ key: keyRef, newName: name.optional() }),
    handle: (input, context) => {
      // What would refuse at once is refused now, not in a job that fails a moment later.
      const plan = context.services.rotations.plan(input.key);
      if (plan.blocked) throw new VaultError('CONFLICT', plan.blocked, plan.open ? { remedies: plan.open.next } : { remedies: [{ code: 'replace-admin-key', key: input.key }] });
      return rotationJob(context, input.key, () => context.services.rotations.start(input.key, input.newName === undefined ? {} : { newName: input.newName }));
    },
  },
  'rotations:resume': { input: z.strictObject({ key: keyRef }), handle: (input, context) => rotationJob(context, input.key, () => context.services.rotations.resume(input.key)) },
  'rotations:finish': {
    input: z.strictObject({ key: keyRef, retire: z.enum(['disable', 'delete']) }),
    handle: (input, context) => rotationJob(context, input.key, () => context.services.rotations.finish(input.key, { retire: input.retire })),
  },
  'rotations:abort': { input: z.strictObject({ key: keyRef }), handle: (input, context) => rotationJob(context, input.key, () => context.services.rotations.abort(input.key)) },
  'rotations:check-both': {
    input: z.strictObject({ key: keyRef }),
    handle: async (input, context) => {
      const both = await context.services.rotations.checkBoth(input.key);
      const label = (which: string, remoteName: string) => `${input.key.tenant}/${input.key.name} (${which}: ${remoteName})`;
      return {
        rotation: both.rotation,
        old: both.old ? remember(context, null, label('old key', both.rotation.oldRemoteName), both.old) : null,
        new: remember(context, input.key, label('new key', both.rotation.newRemoteName), both.new),
      };
    },
  },
} satisfies DomainIpc<'rotations'>;
