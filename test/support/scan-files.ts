/**
 * The canary scan in a process of its own (see filesContaining in files.ts): reads `{ dirs, needle }`
 * as JSON on stdin, writes the files whose bytes hold the needle in any encoding as a JSON array.
 */
import fs from 'node:fs';
import { scanFiles } from './files.ts';

const { dirs, needle } = JSON.parse(fs.readFileSync(0, 'utf8')) as { dirs: string[]; needle: string };
process.stdout.write(JSON.stringify(scanFiles(dirs, needle)));
