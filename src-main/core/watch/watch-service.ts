/**
 * The app's watch: while it runs, a round every hour checks again the keys whose last judgement is
 * older than `recheckHours` (daily per key by default; a bulk run within the politeness limits,
 * each check with its negative control), then looks at what needs a person (watch-round.ts). Each
 * thing is told once through `notify` (the app's OS notifications; never a secret: a key's name and
 * what happened), and not again until it changes: a key that recovers and fails again is told again.
 * Notifications can be snoozed per key. What changed since the person last looked is kept for the
 * Watch screen. State lives in the inventory's settings, so a restart does not tell it all again.
 */
import type { KeyRef } from '../../shared/contract.ts';
import { WATCH_ITEMS_SHOWN, type Attention, type WatchItem, type WatchSettings, type WatchStatus } from '../../shared/contract/watch.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { RotationService } from '../rotation/rotation-service.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { attentionWords, needsAPerson, watchRound } from './watch-round.ts';
import { WatchStore } from './watch-store.ts';

export const DEFAULT_WATCH_SETTINGS: WatchSettings = { enabled: true, recheckHours: 24, expiringDays: 7, overlapDays: 7 };
/** How often a round looks for keys due again. */
export const ROUND_EVERY_MS = 60 * 60_000;
/** The first round, a little after the app opens: its window comes first. */
export const FIRST_ROUND_AFTER_MS = 60_000;

/** What the OS is told: a title and a line, no secret. */
export interface WatchNotice {
  title: string;
  body: string;
  key: KeyRef;
}

interface Known {
  attention: Attention;
  firstAt: string;
  notifiedAt: string | null;
}

interface WatchState {
  known: Record<string, Known>;
  cleared: { attention: Attention; clearedAt: string }[];
  seenAt: string | null;
  snoozes: Record<string, string>;
  lastRoundAt: string | null;
  lastRound: { checked: number; failed: number } | null;
}

export interface WatchVault {
  db: Connection;
  stamps: Stamps;
  checks: CheckService;
  keys: KeyService;
  rotations: RotationService;
  settings: SettingsService;
  events: VaultEvents;
}

/** What makes an item the same one: the key, what is wrong, and the fact (a new failure, another expiry date, is news). */
function identity(item: Attention): string {
  const ref = formatKeyRef(item.key);
  switch (item.kind) {
    case 'expired':
    case 'expiring':
      return `${ref}\n${item.kind}\n${item.expiresOn}`;
    case 'overlap':
      return `${ref}\noverlap\n${item.startedAt}`;
    default:
      return `${ref}\n${item.kind}`;
  }
}

const TITLES: Record<Attention['kind'], string> = {
  unauthorized: 'refused (401)',
  forbidden: 'lacks a scope (403)',
  inconclusive: 'check inconclusive',
  expired: 'expired',
  expiring: 'expires soon',
  overlap: 'rotation left open',
};

export class WatchService {
  private readonly vault: WatchVault;
  private readonly store: WatchStore;
  private readonly notify: (notice: WatchNotice) => void;
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;
  private running: Promise<void> | null = null;
  /** Stops the checks of a round under way; a new one for each start. */
  private abort = new AbortController();

  constructor(vault: WatchVault, notify: (notice: WatchNotice) => void) {
    this.vault = vault;
    this.store = new WatchStore(vault.db);
    this.notify = notify;
  }

  /** Rounds from now on, the first after `firstAfterMs`; stop() ends them. */
  start(firstAfterMs = FIRST_ROUND_AFTER_MS, everyMs = ROUND_EVERY_MS): void {
    if (this.timer) return;
    this.abort = new AbortController();
    const schedule = (ms: number) => {
      this.nextAt = Date.now() + ms;
      this.timer = setTimeout(() => {
        void this.round().finally(() => {
          if (this.timer !== null) schedule(everyMs);
        });
      }, ms);
      this.timer.unref();
    };
    schedule(firstAfterMs);
  }

  /** Ends the rounds; one under way stops its checks (those running finish) and is awaited. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  settings(): WatchSettings {
    return { ...DEFAULT_WATCH_SETTINGS, ...(this.vault.settings.get('watch') as Partial<WatchSettings> | null) };
  }

  setSettings(change: Partial<WatchSettings>): WatchStatus {
    const next = { ...this.settings(), ...change };
    if (!Number.isInteger(next.recheckHours) || next.recheckHours < 1 || next.recheckHours > 24 * 90) throw new VaultError('INVALID_INPUT', 'Check keys again after: a whole number of hours from 1 to 2160 (90 days).');
    if (!Number.isInteger(next.expiringDays) || next.expiringDays < 0 || next.expiringDays > 365) throw new VaultError('INVALID_INPUT', 'Expiring within: a whole number of days from 0 to 365.');
    if (!Number.isInteger(next.overlapDays) || next.overlapDays < 1 || next.overlapDays > 365) throw new VaultError('INVALID_INPUT', 'Overlap planned: a whole number of days from 1 to 365.');
    this.vault.settings.set('watch', next);
    this.vault.events.changed('watch settings changed');
    return this.status();
  }

  /** A round: due keys checked (unless the watch is off and `force` is not given), then what needs a person, each told once. */
  async round(options: { force?: boolean } = {}): Promise<void> {
    if (this.running) return this.running;
    this.running = this.runRound(options.force === true).finally(() => (this.running = null));
    return this.running;
  }

  private async runRound(force: boolean): Promise<void> {
    const settings = this.settings();
    if (!settings.enabled && !force) return;
    const now = new Date(this.vault.stamps.now());
    const result = await watchRound(this.vault, { now, staleHours: settings.recheckHours, expiringDays: settings.expiringDays, overlapDays: settings.overlapDays, signal: this.abort.signal });
    const state = this.state();
    state.lastRoundAt = result.at;
    state.lastRound = result.checked ? { checked: result.checked.checked, failed: result.checked.failures.length } : { checked: 0, failed: 0 };
    this.update(state, result.attention, result.at);
  }

  /** What needs a person now, with what is new since the person last looked. Sends nothing. */
  status(): WatchStatus {
    const state = this.state();
    // Between rounds, what the vault already knows (a check run by hand, an edited expiry) counts too.
    const settings = this.settings();
    this.update(state, needsAPerson((days) => this.store.candidates(this.vault.stamps.today(), days), this.vault.rotations, { now: new Date(this.vault.stamps.now()), expiringDays: settings.expiringDays, overlapDays: settings.overlapDays }, this.store.refusalWords()), this.vault.stamps.now(), false);
    const items: WatchItem[] = Object.values(state.known).map((known) => ({
      attention: known.attention,
      words: attentionWords(known.attention),
      firstAt: known.firstAt,
      isNew: state.seenAt === null || known.firstAt > state.seenAt,
      notifiedAt: known.notifiedAt,
      snoozedUntil: this.snoozedUntil(state, known.attention.key),
    }));
    items.sort((a, b) => b.firstAt.localeCompare(a.firstAt) || formatKeyRef(a.attention.key).localeCompare(formatKeyRef(b.attention.key)));
    return {
      settings,
      lastRoundAt: state.lastRoundAt,
      lastRound: state.lastRound,
      running: this.running !== null,
      nextRoundAt: this.nextAt === null ? null : new Date(this.nextAt).toISOString(),
      items: items.length > WATCH_ITEMS_SHOWN ? items.slice(0, WATCH_ITEMS_SHOWN) : items,
      itemCount: items.length,
      cleared: state.cleared.filter((entry) => state.seenAt === null || entry.clearedAt > state.seenAt).map((entry) => ({ ...entry, words: attentionWords(entry.attention) })),
      unseen: items.filter((item) => item.isNew).length,
      seenAt: state.seenAt,
    };
  }

  /** The person looked at the Watch screen: nothing is new any more. */
  seen(): WatchStatus {
    const state = this.state();
    state.seenAt = this.vault.stamps.now();
    state.cleared = [];
    this.save(state);
    return this.status();
  }

  /** No notification for the key for `days` (null: notify again). */
  snooze(key: KeyRef, days: number | null): WatchStatus {
    this.vault.keys.show(key);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 90)) throw new VaultError('INVALID_INPUT', 'Snooze: a whole number of days from 1 to 90.');
    const state = this.state();
    if (days === null) delete state.snoozes[formatKeyRef(key)];
    else state.snoozes[formatKeyRef(key)] = new Date(Date.parse(this.vault.stamps.now()) + days * 86_400_000).toISOString();
    this.save(state);
    return this.status();
  }

  /** Folds what needs a person into the state: new items are kept (and told, when `tell`), gone ones cleared. */
  private update(state: WatchState, attention: Attention[], at: string, tell = true): void {
    const current = new Map(attention.map((item) => [identity(item), item]));
    let changed = false;
    for (const [id, known] of Object.entries(state.known)) {
      if (current.has(id)) continue;
      delete state.known[id];
      state.cleared.push({ attention: known.attention, clearedAt: at });
      changed = true;
    }
    for (const [id, item] of current) {
      const known = state.known[id];
      if (known) {
        known.attention = item;
        if (tell && known.notifiedAt === null && !this.snoozedUntil(state, item.key)) changed = this.tell(known) || changed;
        continue;
      }
      const fresh: Known = { attention: item, firstAt: at, notifiedAt: null };
      state.known[id] = fresh;
      changed = true;
      if (tell && !this.snoozedUntil(state, item.key)) this.tell(fresh);
    }
    state.cleared = state.cleared.slice(-50);
    if (changed || tell) this.save(state);
    if (changed && tell) this.vault.events.changed('watch round');
  }

  private tell(known: Known): boolean {
    try {
      this.notify({ title: `${formatKeyRef(known.attention.key)}: ${TITLES[known.attention.kind]}`, body: attentionWords(known.attention), key: known.attention.key });
      known.notifiedAt = this.vault.stamps.now();
      return true;
    } catch {
      // A desktop without notifications: the Watch screen still lists it.
      return false;
    }
  }

  private snoozedUntil(state: WatchState, key: KeyRef): string | null {
    const until = state.snoozes[formatKeyRef(key)];
    return until && until > this.vault.stamps.now() ? until : null;
  }

  private state(): WatchState {
    const stored = this.vault.settings.get('watch-state') as Partial<WatchState> | null;
    return { known: {}, cleared: [], seenAt: null, snoozes: {}, lastRoundAt: null, lastRound: null, ...stored };
  }

  private save(state: WatchState): void {
    this.vault.settings.set('watch-state', state);
  }
}
