/**
 * A sandbox tenant's keys, kept as the real server keeps them: a `security.yml` holding each key's
 * name, enabled flag, permissions and the SHA-256 (hex) of its token — never the token. Writes are
 * serialized per tenant and atomic (temp file, fsync, rename), so concurrent requests lose nothing
 * and a crash leaves the old file or the new one.
 *
 *   # security.yml
 *   apiKeys:
 *     - name: sandbox-admin
 *       enabled: true
 *       permissions: ["*"]
 *       hash: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface StoredKey {
  name: string;
  enabled: boolean;
  permissions: string[];
  /** SHA-256 of the token, hex. */
  hash: string;
}

/** 64 characters of the base64url alphabet from the CSPRNG: 48 random bytes. */
export function generateToken(): string {
  return randomBytes(48).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class TenantState {
  readonly tenantId: string;
  readonly file: string;
  private keys: StoredKey[];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(tenantId: string, file: string, keys: StoredKey[]) {
    this.tenantId = tenantId;
    this.file = file;
    this.keys = keys;
  }

  /** Loads the tenant from `dir/security.yml`, or starts it empty. */
  static open(tenantId: string, dir: string): TenantState {
    const file = path.join(dir, 'security.yml');
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(file)) return new TenantState(tenantId, file, []);
    const parsed = YAML.parse(fs.readFileSync(file, 'utf8')) as { apiKeys?: StoredKey[] } | null;
    return new TenantState(tenantId, file, (parsed?.apiKeys ?? []).map((key) => ({ ...key, permissions: [...key.permissions] })));
  }

  list(): readonly StoredKey[] {
    return this.keys;
  }

  get(name: string): StoredKey | undefined {
    return this.keys.find((key) => key.name === name);
  }

  findByHash(hash: string): StoredKey | undefined {
    return this.keys.find((key) => key.hash === hash);
  }

  /**
   * Applies `change` to a copy of the keys and persists it; the change is visible only once it is
   * on disk. Changes run one at a time, each seeing the previous one's result.
   */
  update<T>(change: (keys: StoredKey[]) => T): Promise<T> {
    const run = this.queue.then(() => {
      const next = this.keys.map((key) => ({ ...key, permissions: [...key.permissions] }));
      const result = change(next);
      this.persist(next);
      this.keys = next;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private persist(keys: StoredKey[]): void {
    const text = `# The Wallet Crew sandbox — tenant ${this.tenantId}. Token hashes only (SHA-256, hex).\n${YAML.stringify({ apiKeys: keys })}`;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeFileSync(handle, text);
      fs.fsyncSync(handle);
    } finally {
      fs.closeSync(handle);
    }
    fs.renameSync(temp, this.file);
  }
}
