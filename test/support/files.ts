/** File helpers for tests: scratch directories, and the canary search every leak test relies on. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
 * The byte strings a secret leaves in any common encoding: UTF-8, UTF-16LE, hex (either case),
 * percent-encoded, and base64 / base64url at each of the three byte alignments (the part of the
 * encoding that depends on the secret alone, so it is found inside a longer encoded value too).
 */
export function encodingsOf(needle: string): Buffer[] {
  const bytes = Buffer.from(needle, 'utf8');
  const forms = new Set<string>([needle, bytes.toString('hex'), bytes.toString('hex').toUpperCase(), encodeURIComponent(needle)]);
  for (let shift = 0; shift < 3; shift += 1) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const stable = encoded.slice(Math.ceil((shift * 4) / 3), Math.floor(((shift + bytes.length) * 4) / 3));
    forms.add(stable);
    forms.add(stable.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...[...forms].map((form) => Buffer.from(form, 'utf8')), Buffer.from(needle, 'utf16le')];
}

/** True when `haystack` holds `needle` in any encoding of `encodingsOf`. */
export function containsSecret(haystack: Buffer | string, needle: string): boolean {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return encodingsOf(needle).some((form) => bytes.includes(form));
}

/** The files under `dirs` whose bytes contain `needle` in any encoding of `encodingsOf`, read in this process. */
export function scanFiles(dirs: string[], needle: string): string[] {
  const hits: string[] = [];
  for (const dir of dirs) {
    for (const file of allFiles(dir)) {
      if (containsSecret(fs.readFileSync(file), needle)) hits.push(file);
    }
  }
  return hits;
}

/**
 * The files under `dirs` whose bytes contain `needle` in any encoding of `encodingsOf`. A child
 * process reads them (scan-files.ts; the needle goes through its stdin, never its argv): closing
 * a file descriptor on a database file drops every POSIX lock the process holds on that file, the
 * locks of its open SQLite connections included (SQLite's "How To Corrupt An SQLite Database
 * File", section 2.2). Read from the test's own process, an inventory the test still has open was
 * then written by a `tkv` process under the test's connection, and read back as "database disk
 * image is malformed".
 */
export function filesContaining(dirs: string[], needle: string): string[] {
  const scanner = fileURLToPath(new URL('./scan-files.ts', import.meta.url));
  const result = spawnSync(process.execPath, [scanner], { input: JSON.stringify({ dirs, needle }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`the canary scan of ${dirs.join(', ')} failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as string[];
}
