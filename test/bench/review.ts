/**
 * `npm run bench`: the offline review at scale. A 50,000-key inventory (seeded as the key-table
 * bench seeds it, with a server snapshot per tenant and every keychain entry present); the whole
 * review (every flag of every key, the summary, the charts, the digest, the keychain listing) timed
 * against the raw SQL that reads the same rows with better-sqlite3 — the keys with their tenant and
 * status, the tenants' latest snapshots, the open rotations, the earlier credentials — alternating,
 * several rounds, medians. Target: the review within 8× the raw read. Exits 1 when it is missed.
 *
 *   node test/bench/review.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KEY_COLUMNS, KEY_FROM } from '../../src-main/core/keys/key-store.ts';
import { insertSnapshot } from '../support/vault.ts';
import { INVENTORY_FILE } from '../../src-main/core/paths.ts';
import { MemorySecretStore } from '../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../src-main/core/services.ts';
import { scratchDir } from '../support/files.ts';
import { seedInventory } from '../support/seed-inventory.ts';

const KEYS = Number(process.env.TKV_BENCH_REVIEW_KEYS ?? 50_000);
const ROUNDS = Number(process.env.TKV_BENCH_ROUNDS ?? 6);
const TARGET = 8;

const dir = scratchDir('bench-review');
const file = path.join(dir, INVENTORY_FILE);
seedInventory(file, { keys: KEYS, tenants: 10 });
const secrets = new MemorySecretStore();
const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dir }, secrets });
for (const key of services.keys.list()) secrets.entries.set(key.secretAccount, 'x');
// A server listing per tenant, as `remote list` leaves: most keys as the vault has them, some not.
for (const tenant of services.tenants.list()) {
  const keys = services.keys.list({ tenant: tenant.alias });
  insertSnapshot(
    services,
    tenant.alias,
    new Date(Date.now() - 3 * 86_400_000).toISOString(),
    keys.filter((_, index) => index % 50 !== 0).map((key, index) => ({ name: key.remoteName, enabled: index % 97 !== 0, permissions: index % 31 === 0 ? ['Pass.Read'] : key.scopes })),
  );
}

const raw = new Database(file, { readonly: true });
function rawRead(): number {
  const rows = raw.prepare(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ORDER BY t.alias, k.name COLLATE NOCASE`).all();
  const snapshots = raw.prepare(`SELECT keys FROM remote_snapshots s WHERE id = (SELECT id FROM remote_snapshots WHERE tenant_ref = s.tenant_ref ORDER BY taken_at DESC, id DESC LIMIT 1)`).all() as { keys: string }[];
  const parsed = snapshots.reduce((sum, row) => sum + (JSON.parse(row.keys) as unknown[]).length, 0);
  const rotations = raw.prepare(`SELECT * FROM rotations WHERE state IN ('started', 'overlap')`).all();
  const credentials = raw.prepare(`SELECT * FROM key_credentials`).all();
  return rows.length + parsed + rotations.length + credentials.length;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = async (work: () => unknown) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

let flagged = 0;
const reviewTimes: number[] = [];
const rawTimes: number[] = [];
// Warm both paths once (statement caches, JIT), then alternate A-B-B-A.
await services.review.report();
rawRead();
for (let round = 0; round < ROUNDS; round += 1) {
  const order = round % 2 === 0 ? ['review', 'raw'] : ['raw', 'review'];
  for (const which of order) {
    if (which === 'review') {
      reviewTimes.push(
        await time(async () => {
          flagged = (await services.review.report()).summary.flagged;
        }),
      );
    } else rawTimes.push(await time(rawRead));
  }
}
const ratio = median(reviewTimes) / median(rawTimes);
console.log(`review of ${KEYS.toLocaleString()} keys: ${median(reviewTimes).toFixed(0)} ms (median of ${ROUNDS}; ${flagged.toLocaleString()} flagged); raw SQL reading the same rows: ${median(rawTimes).toFixed(0)} ms`);
console.log(`review / raw read: ${ratio.toFixed(2)} (target ≤ ${TARGET})`);
await services.close();
raw.close();
fs.rmSync(dir, { recursive: true, force: true });
if (ratio > TARGET) {
  console.log('review bench: target missed');
  process.exitCode = 1;
}
