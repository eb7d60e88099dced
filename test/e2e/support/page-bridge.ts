/**
 * Injected into the page before the renderer loads: builds `window.api` with the same factory the
 * preload uses, over Playwright's exposeBinding instead of ipcRenderer. Bundled by global-setup.ts.
 */
import { createApi } from '../../../src-main/shared/api-factory.ts';
import type { Api, EventName } from '../../../src-main/shared/contract.ts';

type Listener = (payload: unknown) => void;

declare global {
  interface Window {
    api: Api;
    __tkvInvoke(channel: string, input: unknown): Promise<unknown>;
    __tkvDispatch(event: EventName, payload: unknown): void;
  }
}

const listeners = new Map<EventName, Set<Listener>>();

window.api = createApi({
  invoke: (channel, input) => window.__tkvInvoke(channel, input),
  subscribe: (event, listener) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  },
});
window.__tkvDispatch = (event, payload) => {
  for (const listener of listeners.get(event) ?? []) listener(payload);
};
