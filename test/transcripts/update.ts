/**
 * `npm run transcripts [-- NAME…]`: writes the golden transcripts again from the real tkv, and says
 * which changed. Read the diff (`git diff test/transcripts`) as the person who gets that output
 * before committing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { committed, runScenarios, TRANSCRIPTS_DIR } from './runner.ts';

const only = process.argv.slice(2);
const texts = await runScenarios(only.length > 0 ? only : undefined);
for (const [name, text] of texts) {
  const before = committed(name);
  if (before === text) {
    console.log(`  unchanged  ${name}.txt`);
    continue;
  }
  fs.writeFileSync(path.join(TRANSCRIPTS_DIR, `${name}.txt`), text);
  console.log(`  ${before === null ? 'new      ' : 'changed  '}  ${name}.txt`);
}
