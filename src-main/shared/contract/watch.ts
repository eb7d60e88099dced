/**
 * The app's watch: rounds in the background that check keys again and say, once, what turned bad,
 * through the OS's notifications; the Watch screen lists what changed since the person last looked.
 */
import type { RefusalWord } from '../check.ts';
import type { KeyRef } from './keys.ts';
import { channel } from './channel.ts';

/** Something a person should look at, with the fact that makes it so (core/watch/watch-round.ts). */
export type Attention =
  | { kind: 'unauthorized' | 'forbidden'; key: KeyRef; since: string | null; /** The server's word on that refusal, when it was asked. */ server?: RefusalWord }
  | { kind: 'inconclusive'; key: KeyRef; since: string | null }
  | { kind: 'expired' | 'expiring'; key: KeyRef; expiresOn: string; days: number }
  | { kind: 'overlap'; key: KeyRef; startedAt: string; days: number; oldRemoteName: string };

export interface WatchItem {
  attention: Attention;
  /** The line a person reads (the same words as tkv watch). */
  words: string;
  /** When the vault first found it so; `isNew` when that was after the person last looked. */
  firstAt: string;
  isNew: boolean;
  /** When the OS was told (null: not yet, or the key's notifications are snoozed). */
  notifiedAt: string | null;
  snoozedUntil: string | null;
}

export interface WatchSettings {
  /** Whether the app checks keys in the background while it runs. */
  enabled: boolean;
  /** A key is checked again once its last judgement is this old (default 24 hours: daily per key). */
  recheckHours: number;
  /** A key that expires within this many days needs a person (default 7). */
  expiringDays: number;
  /** A rotation whose overlap has stayed open this many days needs a person: the overlap planned (default 7). */
  overlapDays: number;
}

/**
 * The most items a status carries. A vault of tens of thousands of keys may have thousands that need
 * a person; a list that long helps nobody and held the whole of it in the window's memory (the
 * review lists every key with what to look at).
 */
export const WATCH_ITEMS_SHOWN = 200;

export interface WatchStatus {
  settings: WatchSettings;
  lastRoundAt: string | null;
  /** What the last round checked: how many keys, and why none could be when that was so. */
  lastRound: { checked: number; failed: number } | null;
  running: boolean;
  nextRoundAt: string | null;
  /** What needs a person, newest first: at most WATCH_ITEMS_SHOWN of them (`itemCount` says how many in all). */
  items: WatchItem[];
  itemCount: number;
  /** What went away since the person last looked: no longer needs them. */
  cleared: { attention: Attention; words: string; clearedAt: string }[];
  /** How many items are new since the person last looked: the count on the navigation. */
  unseen: number;
  seenAt: string | null;
}

export const watchChannels = {
  'watch:status': channel<void, WatchStatus>(),
  /** The person looked: nothing is new any more. */
  'watch:seen': channel<void, WatchStatus>(),
  /** No notification for the key until then (`days` null: notify again). */
  'watch:snooze': channel<{ key: KeyRef; days: number | null }, WatchStatus>(),
  /** A round now, whatever the schedule. */
  'watch:run': channel<void, WatchStatus>(),
  'watch:set-settings': channel<Partial<WatchSettings>, WatchStatus>(),
};
