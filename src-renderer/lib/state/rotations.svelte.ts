/**
 * Rotations as the Rotation screen follows them: every open one with its journal (an interrupted one
 * shows where it stopped), the key being rotated, the steps of the running job, and the side-by-side
 * check of the old and the new key. Shapes kept: RotationWithJournal[], RotationPlan, CheckView.
 */
import type { CheckView, KeyRef, RetireMode, RotationJobView, RotationPlan, RotationProgress, RotationStatus, RotationWithJournal } from '../../../src-main/shared/contract.ts';
import { api, ApiError, asApiError, unwrap } from '../api.ts';
import type { JobsStore } from './jobs.svelte.ts';

export type RotationAction = 'start' | 'resume' | 'finish' | 'abort';

export class RotationsStore {
  list = $state.raw<RotationWithJournal[]>([]);
  /** The key the screen is about. */
  key = $state.raw<KeyRef | null>(null);
  plan = $state.raw<RotationPlan | null>(null);
  /** The running step's job, and the journal steps it reported. */
  running = $state.raw<{ action: RotationAction; jobId: string; steps: RotationProgress[] } | null>(null);
  /** The latest side-by-side check of the key's old and new key. */
  both = $state.raw<{ rotation: RotationStatus; old: CheckView | null; new: CheckView } | null>(null);
  checking = $state(false);
  error = $state.raw<ApiError | null>(null);
  private readonly jobs: JobsStore;

  constructor(jobs: JobsStore) {
    this.jobs = jobs;
  }

  /** Open rotations first: the ones a crash left behind are what the screen offers to resume. */
  get interrupted(): RotationWithJournal[] {
    return this.list.filter((entry) => entry.rotation.state === 'started' || entry.rotation.state === 'overlap');
  }

  /** The key's latest rotation, open or ended. */
  get current(): RotationWithJournal | null {
    const key = this.key;
    if (!key) return null;
    return this.list.find((entry) => entry.rotation.key.tenant === key.tenant && entry.rotation.key.name === key.name) ?? null;
  }

  async load(): Promise<void> {
    try {
      this.list = await unwrap(api.rotations.list());
      if (this.key) this.plan = await unwrap(api.rotations.plan({ key: this.key }));
    } catch (error) {
      this.error = asApiError(error);
    }
  }

  async choose(key: KeyRef | null): Promise<void> {
    const changed = key?.tenant !== this.key?.tenant || key?.name !== this.key?.name;
    this.key = key;
    if (changed) {
      this.both = null;
      this.plan = null;
      this.error = null;
    }
    await this.load();
  }

  start(newName: string | null): Promise<RotationStatus | null> {
    const key = this.key!;
    return this.run('start', () => unwrap(api.rotations.start({ key, ...(newName ? { newName } : {}) })));
  }

  resume(key: KeyRef): Promise<RotationStatus | null> {
    this.key = key;
    return this.run('resume', () => unwrap(api.rotations.resume({ key })));
  }

  finish(retire: RetireMode): Promise<RotationStatus | null> {
    const key = this.key!;
    return this.run('finish', () => unwrap(api.rotations.finish({ key, retire })));
  }

  abort(): Promise<RotationStatus | null> {
    const key = this.key!;
    return this.run('abort', () => unwrap(api.rotations.abort({ key })));
  }

  async checkBoth(): Promise<void> {
    if (!this.key) return;
    this.checking = true;
    try {
      this.both = await unwrap(api.rotations.checkBoth({ key: this.key }));
      this.error = null;
    } catch (error) {
      this.error = asApiError(error);
    } finally {
      this.checking = false;
    }
  }

  /** Starts a step as a job, follows its progress, and reloads when it ends. */
  private async run(action: RotationAction, begin: () => Promise<RotationJobView>): Promise<RotationStatus | null> {
    this.error = null;
    try {
      const job = await begin();
      this.running = { action, jobId: job.id, steps: [] };
      const done = await this.jobs.waitFor(job.id, (progress) => {
        if (this.running?.jobId === job.id) this.running = { ...this.running, steps: [...this.running.steps, progress as RotationProgress] };
      });
      if (done.state === 'failed' && done.error) this.error = new ApiError(done.error);
      return (done.result as RotationStatus | null) ?? null;
    } catch (error) {
      this.error = asApiError(error);
      return null;
    } finally {
      this.running = null;
      await this.load();
    }
  }
}
