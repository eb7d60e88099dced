/**
 * Records a bulk run's checks as they finish, instead of all at the end of the run: the run's last
 * moments are then spent checking, not writing thousands of rows while the server waits.
 *
 * Checks go into a batch, a write transaction left open across awaits (Connection.writeInBatch), a
 * chunk at a time. A batch commits, durably, at most `batchMs` after it began; the next one begins no
 * sooner than `gapMs` later, so that another process waiting to write (its busy handler retries at
 * least every 100 ms) always finds the database free in between. Any other write in this process
 * commits the open batch first. A crash loses the checks not yet committed: the open batch's, and
 * those waiting to be written (at most about `batchMs + gapMs` of them, or a chunk). A failed write
 * loses nothing: its checks stay in memory and are written again by `finish`.
 */
import type { AuditService } from '../audit/audit-service.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { CheckRunKind, CheckStore, ValidationEntry } from './check-store.ts';

/** Where recorded checks go: their table, the keys' last verdicts, and (for single checks) the audit log. */
export interface CheckLog {
  store: CheckStore;
  keys: KeyService;
  audit: AuditService;
}

/** Whether a list sorted by key holds a key twice. */
function hasRepeats(rows: readonly { keyId: string }[]): boolean {
  for (let index = 1; index < rows.length; index += 1) if (rows[index]!.keyId === rows[index - 1]!.keyId) return true;
  return false;
}

/**
 * Writes checks of a run, inside the caller's transaction, and unless `keyStatus` is false (a scope
 * matrix) sets each key's last attempt and, when the outcome judges the key, its last judgement;
 * `auditEach` adds an audit entry per check (a bulk run has one for the whole run).
 */
export function writeChecks(log: CheckLog, runId: number, entries: readonly ValidationEntry[], options: { auditEach: boolean; keyStatus: boolean }): void {
  if (entries.length === 0) return;
  // In key order, a run's index entries (run_id, key_id) go in one after another; the sort is
  // stable, so a key's own entries keep their order and its last one is its last verdict.
  const rows = entries.length > 1 ? entries.toSorted((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0)) : entries;
  const first = log.store.insertValidations(runId, rows);
  if (first !== null && options.keyStatus) {
    log.keys.recordStatus(first, rows.length, hasRepeats(rows));
    // The server's word on a refusal, for the watch (refusals are few: healthy keys write none).
    for (const entry of rows) if (entry.word) log.store.keepRefusalWord(entry.keyId, entry.at, entry.word);
  }
  if (options.auditEach) {
    for (const entry of entries) {
      log.audit.recordAt(entry.at, 'validated', { tenant: entry.tenant, keyName: entry.keyName, keyId: entry.keyId, fingerprint: entry.fingerprint, detail: { probe: entry.probe, verdict: entry.verdict, status: entry.status } });
    }
  }
}

/** A check run being recorded: a single check, a scope matrix, or a bulk run of many keys. */
export interface CheckRun {
  readonly kind: CheckRunKind;
  readonly startedAt: string;
  /** Its row's id, once its first checks are written (back to null if they are rolled back). */
  id: number | null;
}

export interface RecorderTiming {
  /** How many waiting checks make a write (which writes every check waiting). */
  chunk: number;
  /** The longest a batch stays open. */
  batchMs: number;
  /** The pause after a batch commits, before the next may begin. */
  gapMs: number;
}

/**
 * A chunk of 1,024: its rows, sorted by key, visit the key_status and index pages in order. Written
 * 64 at a time between network reads, whose work leaves those pages cold in the CPU's caches, a bulk
 * run's recording cost about 11 µs of CPU a check on the bench machine; 1,024 at a time, about 7
 * (the writes timed inside the zero-latency rounds of the bulk-check bench, a copy instrumented for
 * it). Writing a chunk takes a few milliseconds; a slower run's checks are written by `batchMs`
 * before a chunk fills.
 */
export const DEFAULT_RECORDER_TIMING: RecorderTiming = { chunk: 1024, batchMs: 250, gapMs: 150 };

export class CheckRecorder {
  private readonly log: CheckLog;
  private readonly run: CheckRun;
  private readonly timing: RecorderTiming;
  /** Finished checks not yet written. */
  private pending: ValidationEntry[] = [];
  private pendingSince = 0;
  /** Checks written into the open batch, not yet committed. */
  private written: ValidationEntry[] = [];
  /** The run's row went in with the open batch. */
  private runRowInBatch = false;
  private batchOpenedAt: number | null = null;
  private resumeAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  /** A write failed: no more until `finish`, which tries once more and throws if that fails too. */
  private failed = false;
  private readonly ended = (committed: boolean) => this.batchEnded(committed);

  constructor(log: CheckLog, run: CheckRun, timing: RecorderTiming = DEFAULT_RECORDER_TIMING) {
    this.log = log;
    this.run = run;
    this.timing = timing;
  }

  /** Takes one finished check. Never throws: a check that cannot be written yet waits for `finish`. */
  add(entry: ValidationEntry): void {
    if (this.pending.length === 0) this.pendingSince = performance.now();
    this.pending.push(entry);
    this.pump();
  }

  /**
   * Writes what is left and commits, durably; `last` writes in the same transaction (the run's
   * audit entry). Throws when the checks cannot be recorded.
   */
  finish(last?: () => void): void {
    this.clearTimer();
    if (this.pending.length === 0 && this.written.length === 0 && !last) return;
    try {
      this.write(last);
    } finally {
      this.log.store.commitBatch();
    }
  }

  private pump(): void {
    const now = performance.now();
    const { chunk, batchMs } = this.timing;
    if (this.batchOpenedAt !== null && now - this.batchOpenedAt >= batchMs) this.commit();
    if (this.pending.length > 0 && !this.failed && now >= this.resumeAt && (this.pending.length >= chunk || now - this.pendingSince >= batchMs)) {
      try {
        this.write();
        this.batchOpenedAt ??= now;
      } catch {
        this.failed = true;
      }
    }
    this.schedule(now);
  }

  /** Writes the pending checks (and `last`) into the batch; on failure they stay pending. */
  private write(last?: () => void): void {
    const entries = this.pending;
    let id = this.run.id;
    this.log.store.writeInBatch(this.ended, () => {
      if (entries.length > 0) {
        id ??= this.log.store.startRun(this.run.kind, this.run.startedAt);
        writeChecks(this.log, id, entries, { auditEach: false, keyStatus: true });
      }
      last?.();
    });
    if (id !== this.run.id) {
      this.run.id = id;
      this.runRowInBatch = true;
    }
    this.pending = [];
    for (const entry of entries) this.written.push(entry);
  }

  private commit(): void {
    try {
      this.log.store.commitBatch();
    } catch {
      this.failed = true;
    }
  }

  /** The batch ended: committed, its checks are recorded; otherwise they are pending again. */
  private batchEnded(committed: boolean): void {
    this.batchOpenedAt = null;
    this.resumeAt = performance.now() + this.timing.gapMs;
    if (!committed) {
      this.pending = [...this.written, ...this.pending];
      if (this.runRowInBatch) this.run.id = null;
    }
    this.written = [];
    this.runRowInBatch = false;
  }

  /** Wakes up when the open batch is due to commit, or pending checks to be written. */
  private schedule(now: number): void {
    const { chunk, batchMs } = this.timing;
    let due = this.batchOpenedAt === null ? Infinity : this.batchOpenedAt + batchMs;
    if (this.pending.length > 0 && !this.failed) {
      // A full chunk goes as soon as the gap is over; fewer checks wait their time limit too.
      due = Math.min(due, this.pending.length >= chunk ? this.resumeAt : Math.max(this.resumeAt, this.pendingSince + batchMs));
    }
    if (due === Infinity) return this.clearTimer();
    if (this.timer && this.timerAt <= due) return;
    this.clearTimer();
    this.timerAt = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, due - now));
    // A recorder never keeps a process alive: whoever runs the checks calls finish.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}
