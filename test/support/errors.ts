/** Awaits a promise that must reject with a VaultError, and returns that error for more checks. */
import { expect } from 'vitest';
import { VaultError } from '../../src-main/core/errors.ts';

export async function rejected(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}
