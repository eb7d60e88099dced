/** `sandbox:*`: the built-in emulator for a first run, started from the main process. */
import type { DomainIpc } from './domain.ts';
import { none } from './schema-parts.ts';

export const sandboxIpc = {
  'sandbox:status': { input: none, handle: (_, { services }) => services.sandbox.status() },
  'sandbox:start': {
    input: none,
    handle: async (_, { services, emit }) => {
      const status = await services.sandbox.start();
      emit('vault:changed', { reason: 'sandbox started' });
      return status;
    },
  },
  'sandbox:remove': {
    input: none,
    handle: async (_, { services, emit }) => {
      const result = await services.sandbox.remove();
      emit('vault:changed', { reason: 'sandbox removed' });
      return result;
    },
  },
} satisfies DomainIpc<'sandbox'>;
