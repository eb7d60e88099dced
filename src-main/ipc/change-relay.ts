/**
 * The one place the vault's changes reach the windows. Each service announces its own committed
 * changes (core/events.ts); here they are relayed as `vault:changed`, once per turn of the event
 * loop, so that what one action changed together (a sandbox start adds a tenant and a key) is
 * redrawn once, not once per row.
 */
import type { VaultEvents } from '../core/events.ts';
import type { Events } from '../shared/contract.ts';

export function relayChanges(events: VaultEvents, emit: (event: 'vault:changed', payload: Events['vault:changed']) => void): () => void {
  let reasons: string[] = [];
  let timer: NodeJS.Immediate | null = null;
  const stop = events.onChange((reason) => {
    if (!reasons.includes(reason)) reasons.push(reason);
    timer ??= setImmediate(() => {
      timer = null;
      const together = reasons;
      reasons = [];
      emit('vault:changed', { reason: together.join(', ') });
    });
  });
  return () => {
    stop();
    if (timer) clearImmediate(timer);
    timer = null;
  };
}
