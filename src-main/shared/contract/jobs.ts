/** Long work in the main process: a job id at once, progress events, cancel, a final result. */
import type { ErrorInfo } from '../errors.ts';
import { channel } from './channel.ts';

export type JobKind = 'bulk-check' | 'rotation';
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobView<P = unknown, R = unknown> {
  id: string;
  kind: JobKind;
  state: JobState;
  startedAt: string;
  endedAt: string | null;
  /** The latest progress reported. */
  progress: P | null;
  /** The result: of a finished job, or of what a cancelled one finished. */
  result: R | null;
  error: ErrorInfo | null;
}

/** Events a job sends; progress is throttled to a few per second, the end always arrives. */
export interface JobEvents {
  'jobs:progress': { id: string; kind: JobKind; progress: unknown };
  'jobs:done': JobView;
}

export const jobsChannels = {
  /** Running jobs and the latest finished ones, newest first: a window opened later finds them. */
  'jobs:list': channel<void, JobView[]>(),
  'jobs:cancel': channel<{ id: string }, JobView>(),
};
