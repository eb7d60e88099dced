/** The stores, one per domain, shared through Svelte context rather than passed down as props. */
import { getContext, setContext } from 'svelte';
import type { AuditStore } from './audit.svelte.ts';
import type { ChecksStore } from './checks.svelte.ts';
import type { JobsStore } from './jobs.svelte.ts';
import type { KeysStore } from './keys.svelte.ts';
import type { ReviewStore } from './review.svelte.ts';
import type { RotationsStore } from './rotations.svelte.ts';
import type { ServerStore } from './server.svelte.ts';
import type { TenantsStore } from './tenants.svelte.ts';
import type { UiStore } from './ui.svelte.ts';
import type { WatchStore } from './watch.svelte.ts';

export interface Stores {
  tenants: TenantsStore;
  keys: KeysStore;
  checks: ChecksStore;
  jobs: JobsStore;
  server: ServerStore;
  rotations: RotationsStore;
  review: ReviewStore;
  audit: AuditStore;
  ui: UiStore;
  watch: WatchStore;
}

const KEY = Symbol('stores');

export function provideStores(stores: Stores): void {
  setContext(KEY, stores);
}

export function useStores(): Stores {
  const stores = getContext<Stores | undefined>(KEY);
  if (!stores) throw new Error('useStores() outside the app: provideStores() was not called above');
  return stores;
}
