// tkv on a Node too old for its TypeScript sources says which Node it needs and how to get one,
// instead of dying with ERR_UNKNOWN_FILE_EXTENSION and a stack trace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeProblem } from '../../../src-main/cli/node-version.mjs';
import { TKV } from '../../support/cli.ts';

/** A Node older than 22.18 on this machine (Debian's is 20), to run the real executable with. */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((file) => {
  if (!fs.existsSync(file)) return false;
  const version = spawnSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return version !== '' && nodeProblem(version) !== null;
});
if (!OLD_NODE) console.log('[node-version] no Node older than 22.18 on this machine: the end-to-end run is skipped; the rule itself is tested');

describe('the Node tkv runs on', () => {
  it('is 22.18 or newer, and an older one is told what to do', () => {
    for (const version of ['24.1.0', '23.0.0', '22.18.0', '22.20.1']) expect(nodeProblem(version), version).toBeNull();
    for (const version of ['22.17.1', '22.6.0', '20.20.2', '18.19.0']) {
      const problem = nodeProblem(version)!;
      expect(problem, version).toContain(`tkv needs Node.js 22.18 or newer; this is Node ${version}`);
      expect(problem).toMatch(/nvm install 24/);
      expect(problem).toMatch(/npm install --prefix ~\/\.local\/node24 node@24/);
    }
  });

  it.skipIf(!OLD_NODE)('an older Node running the real tkv gets that message, exit 1, and no stack trace', () => {
    const run = spawnSync(OLD_NODE!, [TKV, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tkv: tkv needs Node\.js 22\.18 or newer/);
    expect(run.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
  });
});
