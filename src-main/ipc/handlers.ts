/** What each channel does: a thin call into core. Validation and error wrapping live in the router. */
import type { AppInfo, Channel, ChannelInput, ChannelOutput, EventName, Events } from '../shared/contract.ts';
import type { VaultService } from '../core/vault/vault-service.ts';

export type Handlers = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C> };

export interface HandlerServices {
  vault: VaultService;
  info: Omit<AppInfo, 'schemaVersion'>;
  /** Sends an event to the renderer(s). */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

/** The handler of every channel, bound to the services. */
export function createHandlers({ vault, info, emit }: HandlerServices): Handlers {
  const changed = (reason: string) => emit('vault:changed', { reason });
  return {
    'app:info': () => ({ ...info, schemaVersion: vault.schemaVersion() }),
    'tenants:list': () => vault.listTenants(),
    'tenants:add': (input) => {
      const tenant = vault.addTenant(input);
      changed('tenant added');
      return tenant;
    },
    'tenants:remove': async (input) => {
      const result = await vault.removeTenant(input.alias, { withKeys: input.withKeys === true });
      changed('tenant removed');
      return result;
    },
    'keys:list': (input) => vault.listKeys(input),
    'keys:add': async (input) => {
      const key = await vault.addKey(input);
      changed('key added');
      return key;
    },
    'keys:reveal': async (input) => ({ secret: await vault.revealKey(input) }),
    'keys:remove': async (input) => {
      await vault.removeKey(input);
      changed('key removed');
      return { removed: { tenant: input.tenant, name: input.name } };
    },
    'vault:reconcile': () => vault.reconcile(),
  };
}
