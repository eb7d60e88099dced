import { describe, expect, it } from 'vitest';
import { channelPath, createApi, type ApiTransport } from '../../../src-main/shared/api-factory.ts';
import { CHANNELS, EVENT_NAMES } from '../../../src-main/shared/contract.ts';

function recordingTransport() {
  const calls: [string, unknown][] = [];
  const subscriptions: string[] = [];
  const transport: ApiTransport = {
    invoke: async (channel, input) => {
      calls.push([channel, input]);
      return { ok: true, value: channel };
    },
    subscribe: (event) => {
      subscriptions.push(event);
      return () => subscriptions.splice(subscriptions.indexOf(event), 1);
    },
  };
  return { calls, subscriptions, transport };
}

describe('createApi', () => {
  it('exposes exactly one function per contract channel, grouped by domain', async () => {
    const { calls, transport } = recordingTransport();
    const api = createApi(transport) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
    const exposed = Object.entries(api)
      .filter(([key]) => key !== 'on')
      .flatMap(([domain, group]) => Object.keys(group).map((verb) => `${domain}.${verb}`));
    expect(exposed.sort()).toEqual(CHANNELS.map((channel) => channelPath(channel).join('.')).sort());
    for (const channel of CHANNELS) {
      const [domain, verb] = channelPath(channel);
      await api[domain]![verb]!({ probe: channel });
    }
    expect(calls.map(([channel]) => channel)).toEqual(CHANNELS);
    expect(calls.every(([channel, input]) => (input as { probe: string }).probe === channel)).toBe(true);
  });

  it('camel-cases multi-word verbs', () => {
    expect(channelPath('keys:page')).toEqual(['keys', 'page']);
    expect(channelPath('admin:create-key' as never)).toEqual(['admin', 'createKey']);
  });

  it('is frozen, so page scripts cannot swap a channel for their own', () => {
    const api = createApi(recordingTransport().transport);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.keys)).toBe(true);
  });

  it('subscribes only to known events and returns an unsubscribe', () => {
    const { subscriptions, transport } = recordingTransport();
    const api = createApi(transport);
    const off = api.on(EVENT_NAMES[0]!, () => undefined);
    expect(subscriptions).toEqual(['vault:changed']);
    off();
    expect(subscriptions).toEqual([]);
    expect(() => api.on('ipc:anything' as never, () => undefined)).toThrow(/Unknown event/);
  });
});
