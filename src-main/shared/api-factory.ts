/**
 * Builds `window.api` from the contract's channel list. The preload passes a transport over
 * Electron's ipcRenderer; the browser tests pass one over Playwright's exposeBinding. Either way the
 * renderer gets the same object, and only the listed channels exist on it.
 */
import { CHANNELS, EVENT_NAMES, type Api, type Channel, type EventName } from './contract.ts';

/** How calls and events travel; the only part that differs between Electron and the tests. */
export interface ApiTransport {
  invoke(channel: Channel, input: unknown): Promise<unknown>;
  /** Subscribes to an event; returns the unsubscribe. Must not pass transport objects through. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** `keys:create-key` → `['keys', 'createKey']`. */
export function channelPath(channel: Channel): [string, string] {
  const [domain, verb] = channel.split(':') as [string, string];
  return [domain, verb.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())];
}

/** Returns a frozen `Api` whose functions forward to `transport`. */
export function createApi(transport: ApiTransport): Api {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    const [domain, verb] = channelPath(channel);
    const group = (api[domain] ??= {}) as Record<string, unknown>;
    group[verb] = (input?: unknown) => transport.invoke(channel, input);
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event "${String(event)}".`);
    if (typeof listener !== 'function') throw new Error('An event listener must be a function.');
    return transport.subscribe(event, listener);
  };
  for (const group of Object.values(api)) if (typeof group === 'object' && group) Object.freeze(group);
  return Object.freeze(api) as unknown as Api;
}
