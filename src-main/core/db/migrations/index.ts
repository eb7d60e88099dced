/**
 * The inventory's schema, as numbered migrations, one file each. Migration N moves the schema from
 * version N-1 to N and runs in one transaction with the `user_version` bump, so a crash leaves
 * either the old schema or the new one.
 *
 * A shipped migration is frozen: its SQL is written out in full and it imports nothing but the
 * type below, so that adding a verdict or renaming a constant can never change what an old
 * migration does (test/unit/core/db/migrations.test.ts holds each file's digest). A new schema
 * change is a new file, `NNN-what-it-does.ts`, appended to MIGRATIONS.
 */
import type Database from 'better-sqlite3';
import { migration001 } from './001-tenants-keys-audit.ts';
import { migration002 } from './002-validations-custom-probes.ts';
import { migration003 } from './003-admin-rotations-snapshots.ts';
import { migration004 } from './004-check-runs.ts';
import { migration005 } from './005-judgement-apart-from-attempt.ts';
import { migration006 } from './006-key-table-indexes-search.ts';
import { migration007 } from './007-sandbox-tenant.ts';
import { migration008 } from './008-audit-chain-settings-signoffs.ts';
import { migration009 } from './009-airwallex-tenants.ts';
import { migration010 } from './010-remote-create-intents.ts';
import { migration011 } from './011-key-usage.ts';
import { migration012 } from './012-admin-keys-by-tenant.ts';
import { migration013 } from './013-server-words.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
