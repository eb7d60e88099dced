/** File helpers for tests: scratch directories, and the canary search every leak test relies on. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the OS temp dir; remove it with `fs.rmSync(dir, { recursive: true })`. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tkv-${prefix}-`));
}

/** A token no run could produce by accident, shaped like a Wallet Crew key (64 base64url chars). */
export function canaryToken(): string {
  return `CANARY${randomBytes(45).toString('base64url')}`.slice(0, 64);
}

/** Every regular file under `dir` (WAL and SHM included), recursively. */
export function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * The files under `dirs` whose bytes contain `needle`, as UTF-8, UTF-16LE, base64 or hex, so that a
 * secret stored in any common encoding is still found.
 */
export function filesContaining(dirs: string[], needle: string): string[] {
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le'), Buffer.from(Buffer.from(needle).toString('base64')), Buffer.from(Buffer.from(needle).toString('hex'))];
  const hits: string[] = [];
  for (const dir of dirs) {
    for (const file of allFiles(dir)) {
      const bytes = fs.readFileSync(file);
      if (forms.some((form) => bytes.includes(form))) hits.push(file);
    }
  }
  return hits;
}
