/**
 * The open inventory as every store shares it: statements compiled once per connection, one write
 * transaction at a time, and the batch a bulk run keeps open across awaits. Stores (each domain's
 * `*-store.ts`) run their SQL through it; services open transactions on it that span several
 * stores (a key's row and its audit entry commit together).
 */
import type Database from 'better-sqlite3';
import { schemaVersion, type InventoryDatabase } from './database.ts';

/**
 * A batch: the write transaction a bulk run keeps open across awaits, so that its checks go in as
 * they finish rather than all at the end (see checks/check-recorder.ts). Any other write on the
 * connection commits the batch first, so no other write ever shares, or waits for, its commit.
 */
interface Batch {
  /** True while the batch's owner is writing into it. */
  writing: boolean;
  /** Told when the batch ends, committed or not. */
  ended: (committed: boolean) => void;
}

export class Connection {
  readonly raw: InventoryDatabase;
  private readonly statements = new Map<string, Database.Statement>();
  private batch: Batch | null = null;

  constructor(raw: InventoryDatabase) {
    this.raw = raw;
  }

  /** The file's path, for messages. */
  get file(): string {
    return this.raw.name;
  }

  get open(): boolean {
    return this.raw.open;
  }

  schemaVersion(): number {
    return schemaVersion(this.raw);
  }

  /**
   * A prepared statement, compiled once per connection: preparing costs more than most queries. A
   * statement that writes commits an open batch first, unless the batch's owner is writing.
   */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (!statement.readonly) this.yieldBatch();
    return statement;
  }

  /**
   * Runs `work` in one write transaction. An open batch commits first, unless its owner is the one
   * writing; then `work` nests in the batch (a savepoint).
   */
  transaction<T>(work: () => T): T {
    this.yieldBatch();
    return this.raw.transaction(work).immediate();
  }

  /**
   * Writes `work` into the connection's open batch, beginning one if there is none; `ended` is told
   * when the batch ends. When `work` throws, the whole batch is rolled back (no savepoint per write:
   * a savepoint makes SQLite journal every page it touches, and failures are rare).
   */
  writeInBatch<T>(ended: (committed: boolean) => void, work: () => T): T {
    let batch = this.batch;
    if (batch && batch.ended !== ended) {
      this.commitBatch();
      batch = null;
    }
    if (!batch) {
      this.statement('BEGIN IMMEDIATE').run();
      batch = { writing: false, ended };
      this.batch = batch;
    }
    batch.writing = true;
    try {
      return work();
    } catch (error) {
      this.endBatch(false);
      throw error;
    } finally {
      batch.writing = false;
    }
  }

  /** Commits the open batch, if any; when the commit fails, the batch is rolled back and the error thrown. */
  commitBatch(): void {
    this.endBatch(true);
  }

  /** Commits an open batch, then closes the connection. */
  close(): void {
    try {
      this.commitBatch();
    } finally {
      this.raw.close();
    }
  }

  /** Another write is coming: an open batch commits first, unless its owner is the one writing. */
  private yieldBatch(): void {
    if (this.batch && !this.batch.writing) this.commitBatch();
  }

  private endBatch(commit: boolean): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    let committed = false;
    try {
      if (commit && this.raw.inTransaction) {
        this.statement('COMMIT').run();
        committed = true;
      }
    } finally {
      try {
        // SQLite may have rolled the batch back already (on some I/O errors it does).
        if (this.raw.inTransaction) this.statement('ROLLBACK').run();
      } finally {
        batch.ended(committed);
      }
    }
  }
}

/** What every domain's store is: SQL over the shared connection, for its own tables. */
export abstract class Store {
  protected readonly db: Connection;

  constructor(db: Connection) {
    this.db = db;
  }

  protected statement(sql: string): Database.Statement {
    return this.db.statement(sql);
  }
}
