// The 30-second clear, on a clipboard that behaves as under Wayland (support/clipboard.ts): it is
// confirmed through the system's clipboard, never through the app's cached copy, and a clear the
// system refused is reported and tried again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretClipboard, type ClipboardClearState } from '../../../../src-main/core/keys/secret-clipboard.ts';
import { WaylandLikeClipboard } from '../../../support/clipboard.ts';

const SECRET = 'a-secret-the-person-copied-0123456789';

function setUp(confirm: 'system' | 'none' | 'own' = 'system') {
  const clipboard = new WaylandLikeClipboard();
  const states: ClipboardClearState[] = [];
  const secretClipboard = new SecretClipboard(clipboard, {
    clearAfterMs: 1_000,
    ...(confirm === 'system' ? { confirm: () => clipboard.readSystem() } : confirm === 'none' ? { confirm: null } : {}),
    onClear: (state) => states.push(state),
  });
  return { clipboard, states, secretClipboard };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the secret clipboard', () => {
  it('clears the secret after the delay, confirmed on the system clipboard', async () => {
    vi.useFakeTimers();
    const { clipboard, states, secretClipboard } = setUp();
    await secretClipboard.copy(SECRET);
    expect(clipboard.text).toBe(SECRET);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([clipboard.text, states]).toEqual(['', ['cleared']]);
  });

  it('leaves what the person copied since, and says so', async () => {
    vi.useFakeTimers();
    const { clipboard, states, secretClipboard } = setUp();
    await secretClipboard.copy(SECRET);
    clipboard.text = 'a note copied in another app';
    await vi.advanceTimersByTimeAsync(1_000);
    expect([clipboard.text, states]).toEqual(['a note copied in another app', ['replaced']]);
  });

  it('reports a clear the system dropped (window in the background), though the app’s own read says it is empty, and clears once the window has the focus', async () => {
    vi.useFakeTimers();
    const { clipboard, states, secretClipboard } = setUp();
    await secretClipboard.copy(SECRET);
    clipboard.focused = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await clipboard.readText()).toBe('');
    expect([clipboard.text, states]).toEqual([SECRET, ['not-cleared']]);
    clipboard.focused = true;
    await secretClipboard.retry();
    expect([clipboard.text, states]).toEqual(['', ['not-cleared', 'cleared']]);
    // Nothing is left to retry.
    await secretClipboard.retry();
    expect(states).toEqual(['not-cleared', 'cleared']);
  });

  it('trusting the app’s own read would have called that clear done: with no reader of the system clipboard it says it cannot confirm', async () => {
    vi.useFakeTimers();
    const own = setUp('own');
    await own.secretClipboard.copy(SECRET);
    own.clipboard.focused = false;
    await vi.advanceTimersByTimeAsync(1_000);
    // The cached read is why a confirmation must come from the system (the app passes wl-paste).
    expect([own.clipboard.text, own.states]).toEqual([SECRET, ['cleared']]);

    const none = setUp('none');
    await none.secretClipboard.copy(SECRET);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([none.clipboard.text, none.states]).toEqual(['', ['unconfirmed']]);
  });

  it('clears at once what is pending or stuck when the app quits', async () => {
    const { clipboard, states, secretClipboard } = setUp();
    await secretClipboard.copy(SECRET);
    await secretClipboard.flush();
    expect([clipboard.text, states]).toEqual(['', ['cleared']]);
  });
});
