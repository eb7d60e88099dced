/**
 * Which disk the inventory is on, so that a failed write can be told for what it is: SQLite says
 * "disk I/O error" (or "database or disk is full") when the disk is full, and a person should read
 * that the disk is full and that nothing was written.
 */
import fs from 'node:fs';

const dirs = new Set<string>();

/** Remembers the directory of an inventory this process opened. */
export function rememberInventoryDir(dir: string): void {
  dirs.add(dir);
}

/** The directory of an open inventory whose disk has (almost) no room left, or null. */
export function fullInventoryDisk(): string | null {
  for (const dir of dirs) {
    try {
      const stats = fs.statfsSync(dir);
      if (stats.bavail * stats.bsize < 64 * 1024) return dir;
    } catch {
      // gone: not the disk at fault
    }
  }
  return null;
}
