/** `jobs:*`: long work in the main process, listed and cancelled. */
import { z } from 'zod';
import { VaultError } from '../core/errors.ts';
import type { DomainIpc } from './domain.ts';

export const jobsIpc = {
  'jobs:list': { input: z.undefined(), handle: (_, { services }) => services.jobs.list() },
  'jobs:cancel': {
    input: z.strictObject({ id: z.string().uuid() }),
    handle: (input, { services }) => {
      const job = services.jobs.cancel(input.id);
      if (!job) throw new VaultError('NOT_FOUND', 'No such job: it ended long ago, or the app was restarted.');
      return job;
    },
  },
} satisfies DomainIpc<'jobs'>;
