/** Token buckets, one per tenant or key, refilled continuously. */
import type { Bucket } from './sandbox-config.ts';

interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** Whole seconds until a token is available, when refused. */
  retryAfterSeconds: number;
}

export class Throttle {
  private readonly states = new Map<string, BucketState>();
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Takes one token from the bucket `id`, configured by `bucket`. */
  take(id: string, bucket: Bucket): ThrottleDecision {
    const now = this.now();
    const state = this.states.get(id) ?? { tokens: bucket.capacity, updatedAt: now };
    state.tokens = Math.min(bucket.capacity, state.tokens + ((now - state.updatedAt) / 1000) * bucket.refillPerSecond);
    state.updatedAt = now;
    this.states.set(id, state);
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - state.tokens) / bucket.refillPerSecond)) };
  }

  reset(): void {
    this.states.clear();
  }
}
