/**
 * How a domain's channels are served: each channel one entry, its input schema and its handler
 * together. The `satisfies` in each domain file and in channels.ts makes the compiler check that
 * every contract channel has exactly one entry, whose schema and handler match the contract.
 */
import type { z } from 'zod';
import type { Channel, ChannelInput, ChannelOutput } from '../shared/contract.ts';
import type { IpcContext } from './ipc-context.ts';

export interface IpcEntry<C extends Channel> {
  /** Validates what the renderer sent; strings are bounded so an oversized payload never reaches a service. */
  input: z.ZodType<ChannelInput<C>>;
  handle(input: ChannelInput<C>, context: IpcContext): Promise<ChannelOutput<C>> | ChannelOutput<C>;
}

/** The entries of the channels named `domain:…`. */
export type DomainIpc<D extends string> = { [C in Extract<Channel, `${D}:${string}`>]: IpcEntry<C> };

/** Every channel's entry. */
export type IpcTable = { [C in Channel]: IpcEntry<C> };
