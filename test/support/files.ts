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

/** The files under `dirs` whose bytes contain `needle` in any encoding of `encodingsOf`. */
export function filesContaining(dirs: string[], needle: string): string[] {
  const hits: string[] = [];
  for (const dir of dirs) {
    for (const file of allFiles(dir)) {
      if (containsSecret(fs.readFileSync(file), needle)) hits.push(file);
    }
  }
  return hits;
}
