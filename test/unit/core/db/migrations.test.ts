// The schema's migrations: numbered one after another, each in a file of its own, and frozen once
// shipped. A digest of each one's SQL is held here: a change to a shipped migration fails this test
// (write a new migration instead); a new migration adds its line.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../src-main/core/db/migrations/index.ts';

const SHIPPED: Record<number, string> = {
  1: 'eb5fe7d157db18b3',
  2: '823a93ccc6ea7361',
  3: '0deea4da3fa0df4c',
  4: '21a149faaa85ef58',
  5: '6a20a026bc0fb8b2',
  6: '72d55a3bab402795',
  7: '8a8d8a333a6a862e',
  8: '3ad1ea2b75992997',
  9: '96c657ef1261dba4',
  10: 'ef564cac0f6d1f2d',
  11: '9dd691ca16a11651',
  12: '1c65e011215b5382',
  13: '7a66bfa082c473b2',
};

const digest = (migration: (typeof MIGRATIONS)[number]) => createHash('sha256').update(JSON.stringify([migration.version, migration.description, migration.sql])).digest('hex').slice(0, 16);

describe('migrations', () => {
  it('run 1, 2, 3… with no gap, the last being the schema version this build writes', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, index) => index + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('are each one file, named by its number', () => {
    const files = fs.readdirSync(new URL('../../../../src-main/core/db/migrations/', import.meta.url)).filter((name) => /^\d{3}-/.test(name));
    expect(files.map((name) => Number(name.slice(0, 3)))).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it('never change once shipped', () => {
    for (const migration of MIGRATIONS) {
      expect(SHIPPED[migration.version], `migration ${migration.version} is new: add its digest to SHIPPED`).toBeDefined();
      expect(digest(migration), `migration ${migration.version} (${migration.description}) changed: write a new migration instead`).toBe(SHIPPED[migration.version]);
    }
  });
});
