/**
 * Loads both native modules the way the app and tkv do, and uses each once: proof that an install
 * built them (npm 12 skips the build scripts of packages `allowScripts` does not name). Run by
 * .ci/run after each clean install, and by test/unit/install/native-modules.test.ts.
 *
 *   node test/support/load-native.ts     → prints "native modules: keytar ok, better-sqlite3 <sqlite version>"
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Loads keytar and better-sqlite3; throws with the module's own message when one is not built. */
export function loadNativeModules(): { keytar: string[]; sqlite: string } {
  const keytar = require('keytar') as Record<string, unknown>;
  const functions = ['getPassword', 'setPassword', 'deletePassword', 'findCredentials'].filter((name) => typeof keytar[name] === 'function');
  if (functions.length !== 4) throw new Error(`keytar loaded without its functions (${functions.join(', ')})`);
  const Database = require('better-sqlite3') as new (file: string) => { prepare(sql: string): { pluck(): { get(): unknown } }; close(): void };
  const db = new Database(':memory:');
  try {
    return { keytar: functions, sqlite: String(db.prepare('SELECT sqlite_version()').pluck().get()) };
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const loaded = loadNativeModules();
  console.log(`native modules: keytar ok (${loaded.keytar.length} functions), better-sqlite3 ok (SQLite ${loaded.sqlite})`);
}
