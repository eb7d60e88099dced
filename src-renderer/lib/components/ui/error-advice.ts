/**
 * What a generic part (a form dialog) shows under an error's message, given by the app through
 * context: the generic part knows nothing of remedies, the app renders them (remedy-list.svelte).
 */
import { getContext, setContext, type Component } from 'svelte';

export type ErrorAdvice = Component<{ error: unknown }>;

const KEY = Symbol('error-advice');

export function provideErrorAdvice(advice: ErrorAdvice): void {
  setContext(KEY, advice);
}

export function useErrorAdvice(): ErrorAdvice | undefined {
  return getContext<ErrorAdvice | undefined>(KEY);
}
