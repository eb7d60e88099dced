/** `sandbox:*`: the built-in emulator for a first run, started from the main process. */
import type { DomainIpc } from './domain.ts';
import { none } from './schema-parts.ts';

export const sandboxIpc = {
  'sandbox:status': { input: none, handle: (_, { services }) => services.sandbox.status() },
  'sandbox:start': {
    input: none,
    handle: (_, { services }) => services.sandbox.start(),
  },
  'sandbox:remove': {
    input: none,
    handle: (_, { services }) => services.sandbox.remove(),
  },
} satisfies DomainIpc<'sandbox'>;
