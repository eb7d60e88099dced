/**
 * Long work as jobs: a bulk check now, rotations and exports later. A job gets an id at once, runs
 * in the main process, reports progress (throttled to what a person can see), can be cancelled, and
 * ends with a result or an error; it lives on when the window that started it goes away, so a window
 * (re)opened later finds it running, or finds its result.
 */
import { randomUUID } from 'node:crypto';
import type { JobEvents, JobKind, JobView } from '../../shared/contract.ts';
import { toErrorInfo } from '../errors.ts';

export type { JobEvents };

/** What the work of a job is given. */
export interface JobControl<P> {
  /** Aborted when the job is cancelled; the work stops soon, keeping what it finished. */
  signal: AbortSignal;
  /** The latest progress; only some reach the listeners (at most one per `throttleMs`), the last always. */
  report(progress: P): void;
}

interface Job {
  view: JobView;
  controller: AbortController;
  done: Promise<void>;
  timer: NodeJS.Timeout | null;
  lastEmit: number;
  pending: unknown;
}

export interface JobRunnerOptions {
  emit: <E extends keyof JobEvents>(event: E, payload: JobEvents[E]) => void;
  /** The least time between two progress events of one job. */
  throttleMs?: number;
  /** Finished jobs kept for `list`, newest first. */
  keepFinished?: number;
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly emit: JobRunnerOptions['emit'];
  private readonly throttleMs: number;
  private readonly keepFinished: number;

  constructor(options: JobRunnerOptions) {
    this.emit = options.emit;
    this.throttleMs = options.throttleMs ?? 200;
    this.keepFinished = options.keepFinished ?? 20;
  }

  /** Starts `work` as a job and returns its view at once. */
  start<P, R>(kind: JobKind, work: (control: JobControl<P>) => Promise<R>): JobView<P, R> {
    const controller = new AbortController();
    const view: JobView = { id: randomUUID(), kind, state: 'running', startedAt: new Date().toISOString(), endedAt: null, progress: null, result: null, error: null };
    const job: Job = { view, controller, done: Promise.resolve(), timer: null, lastEmit: 0, pending: undefined };
    this.jobs.set(view.id, job);
    const control: JobControl<P> = { signal: controller.signal, report: (progress) => this.report(job, progress) };
    job.done = (async () => {
      try {
        const result = await work(control);
        this.finish(job, controller.signal.aborted ? 'cancelled' : 'done', result, null);
      } catch (error) {
        this.finish(job, 'failed', null, toErrorInfo(error));
      }
    })();
    return { ...view } as JobView<P, R>;
  }

  /** Asks a running job to stop; it ends `cancelled`, with what it finished. */
  cancel(id: string): JobView | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    if (job.view.state === 'running') job.controller.abort();
    return { ...job.view };
  }

  get(id: string): JobView | null {
    const job = this.jobs.get(id);
    return job ? { ...job.view } : null;
  }

  /** Running jobs and the latest finished ones, newest first. */
  list(): JobView[] {
    return [...this.jobs.values()].map((job) => ({ ...job.view })).reverse();
  }

  /** Resolves when the job has ended (whatever its end). */
  async settled(id: string): Promise<JobView | null> {
    await this.jobs.get(id)?.done;
    return this.get(id);
  }

  /** Cancels every running job and waits for them to end. */
  async cancelAll(): Promise<void> {
    for (const job of this.jobs.values()) if (job.view.state === 'running') job.controller.abort();
    await Promise.all([...this.jobs.values()].map((job) => job.done));
  }

  private report(job: Job, progress: unknown): void {
    if (job.view.state !== 'running') return;
    job.view.progress = progress;
    job.pending = progress;
    if (job.timer) return;
    const wait = job.lastEmit + this.throttleMs - Date.now();
    if (wait <= 0) this.flush(job);
    else job.timer = setTimeout(() => this.flush(job), wait);
  }

  private flush(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = null;
    if (job.pending === undefined) return;
    job.lastEmit = Date.now();
    const progress = job.pending;
    job.pending = undefined;
    this.emit('jobs:progress', { id: job.view.id, kind: job.view.kind, progress });
  }

  private finish(job: Job, state: JobView['state'], result: unknown, error: JobView['error']): void {
    this.flush(job);
    Object.assign(job.view, { state, result, error, endedAt: new Date().toISOString() });
    this.emit('jobs:done', { ...job.view });
    // Keep the latest finished jobs only.
    const finished = [...this.jobs.values()].filter((candidate) => candidate.view.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(old.view.id);
  }
}
