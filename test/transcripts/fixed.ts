/** What is the same in every transcript run: the vault's clock and the sandbox's admin keys. */

/** The vault's clock in every transcript (TKV_CLOCK). */
export const CLOCK = '2026-12-01T09:00:00.000Z';

/** The sandbox's tenants' admin keys: fixed, so that their fingerprints are too. */
export const ADMIN_KEYS = {
  demo: 'sbx-demo-admin-key-for-transcripts-0123456789abcdefghijklmnopqrstuv',
  acme: 'sbx-acme-admin-key-for-transcripts-0123456789abcdefghijklmnopqrstuv',
};
