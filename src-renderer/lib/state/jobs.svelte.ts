/**
 * Long work in the main process, as the page follows it: jobs listed on load (a job outlives the
 * window that started it), then updated by their progress and done events. Shape kept: JobView[],
 * newest first.
 */
import type { BulkJobView, JobView } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';

export class JobsStore {
  list = $state.raw<JobView[]>([]);
  error = $state.raw<ApiError | null>(null);
  /** Callers waiting for a job's end (a rotation step), told of its progress meanwhile. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- callbacks, never rendered: nothing reacts to them
  private readonly waiters = new Map<string, { done: (view: JobView) => void; progress: (progress: unknown) => void }>();

  /** The newest bulk check, running or finished. */
  bulk = $derived((this.list.find((job) => job.kind === 'bulk-check') ?? null) as BulkJobView | null);

  async load(): Promise<void> {
    try {
      this.list = await unwrap(api.jobs.list());
    } catch (error) {
      this.error = asApiError(error);
    }
  }

  /** Follows job events; returns the unsubscribe. */
  follow(): () => void {
    const off = [
      api.on('jobs:progress', ({ id, progress }) => {
        this.waiters.get(id)?.progress(progress);
        this.update(id, (job) => (job.state === 'running' ? { ...job, progress } : job));
      }),
      api.on('jobs:done', (view) => {
        this.update(view.id, () => view, view);
        this.waiters.get(view.id)?.done(view);
        this.waiters.delete(view.id);
      }),
    ];
    return () => off.forEach((unsubscribe) => unsubscribe());
  }

  async startBulk(options: { tenant?: string }): Promise<void> {
    try {
      const job = await unwrap(api.checks.startBulk(options));
      // Events may have overtaken the answer: keep what they brought.
      if (!this.list.some((known) => known.id === job.id)) this.list = [job, ...this.list];
      this.error = null;
    } catch (error) {
      this.error = asApiError(error);
    }
  }

  /** Resolves with the job's final view (at once if its end arrived before the caller asked). */
  waitFor(id: string, onProgress: (progress: unknown) => void = () => undefined): Promise<JobView> {
    const ended = this.list.find((job) => job.id === id && job.state !== 'running');
    if (ended) return Promise.resolve(ended);
    return new Promise((resolve) => this.waiters.set(id, { done: resolve, progress: onProgress }));
  }

  async cancel(id: string): Promise<void> {
    try {
      await unwrap(api.jobs.cancel({ id }));
    } catch (error) {
      this.error = asApiError(error);
    }
  }

  private update(id: string, change: (job: JobView) => JobView, fresh?: JobView): void {
    const index = this.list.findIndex((job) => job.id === id);
    if (index === -1) {
      if (fresh) this.list = [fresh, ...this.list];
      return;
    }
    const next = [...this.list];
    next[index] = change(next[index]!);
    this.list = next;
  }
}
