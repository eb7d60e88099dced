/**
 * Rotation in the app: the vendor's advice as a guided flow over the rotation service. Start, resume,
 * finish and abort run as jobs (their steps arrive as progress); the overlap checks both keys.
 */
import type { Remedy } from '../remedies.ts';
import { channel } from './channel.ts';
import type { CheckView } from './checks.ts';
import type { JobView } from './jobs.ts';
import type { KeyRef } from './keys.ts';

export type RetireMode = 'disable' | 'delete';
export type RotationState = 'started' | 'overlap' | 'finished' | 'rolled_back';

/** A rotation where it stands. */
export interface RotationStatus {
  id: string;
  key: KeyRef;
  state: RotationState;
  step: string;
  oldRemoteName: string;
  newRemoteName: string;
  newFingerprint: string | null;
  permissions: string[];
  retire: RetireMode | null;
  lastError: string | null;
  startedAt: string;
  updatedAt: string;
  /** What the person can do next (nothing once it has ended). */
  next: Remedy[];
}

/** One step of a rotation's journal: written before and after each step, so an interruption shows where. */
export interface RotationJournalEntry {
  at: string;
  step: string;
  phase: 'before' | 'after' | 'failed';
  detail: Record<string, unknown> | null;
}

export interface RotationWithJournal {
  rotation: RotationStatus;
  journal: RotationJournalEntry[];
}

/** What a rotation of the key would do, before it starts. */
export interface RotationPlan {
  key: KeyRef;
  oldRemoteName: string;
  /** A free name for the new key (the old one with today's date), from the last listing of the server. */
  proposedName: string;
  permissions: string[];
  /** Why it cannot be rotated (the tenant's admin credential, or a rotation already open), if so. */
  blocked: string | null;
  open: RotationStatus | null;
}

/** A step as a rotation job reports it. */
export interface RotationProgress {
  rotationId: string;
  step: string;
  phase: 'before' | 'after' | 'failed';
}

export type RotationJobView = JobView<RotationProgress, RotationStatus>;

export const rotationsChannels = {
  /** Open rotations with their journals (an interrupted one shows where it stopped), then recent ended ones. */
  'rotations:list': channel<void, RotationWithJournal[]>(),
  'rotations:plan': channel<{ key: KeyRef }, RotationPlan>(),
  /** Creates the new key, verifies it and switches the entry to it: the overlap. */
  'rotations:start': channel<{ key: KeyRef; newName?: string }, RotationJobView>(),
  'rotations:resume': channel<{ key: KeyRef }, RotationJobView>(),
  /** Retires the old key (disabled by default, or deleted). */
  'rotations:finish': channel<{ key: KeyRef; retire: RetireMode }, RotationJobView>(),
  /** Switches back to the old key and deletes the new one. */
  'rotations:abort': channel<{ key: KeyRef }, RotationJobView>(),
  /** Checks the old and the new key side by side (the old one's secret is gone once it was deleted). */
  'rotations:check-both': channel<{ key: KeyRef }, { rotation: RotationStatus; old: CheckView | null; new: CheckView }>(),
};
