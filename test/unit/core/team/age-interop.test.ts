// Interop with Debian's age and age-keygen, an implementation no one here wrote: each side reads
// what the other writes, binary and armored. CI installs age (.ci/run); elsewhere the tests skip
// with a printed reason rather than pass without checking anything.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armor, dearmor, decrypt, encrypt, generateIdentity, recipientOf } from '../../../../src-main/core/team/age.ts';
import { scratchDir } from '../../../support/files.ts';

function version(command: string): string | null {
  const run = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : null;
}

const ageVersion = version('age');
const keygenVersion = version('age-keygen');
const missing = ageVersion === null || keygenVersion === null;
if (missing) console.warn('age interop tests skipped: the age and age-keygen binaries are not on PATH (CI installs Debian\'s age in .ci/run; locally: apt-get install age).');

const KiB = 1024;
const dir = missing ? '' : scratchDir('age-interop');
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function writeFile(contents: Uint8Array | string): string {
  const file = path.join(dir, `f${fileCount++}`);
  fs.writeFileSync(file, contents, { mode: 0o600 });
  return file;
}

/** Runs an age binary; returns stdout as bytes, failing the test with its stderr on a non-zero exit. */
function run(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args, { maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return result.stdout;
}

function plaintext(length: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => (i * 131 + (i >>> 10)) & 0xff);
}

/** An identity file as age-keygen writes one, and the identity and recipient in it. */
function keygen(): { file: string; identity: string; recipient: string } {
  const file = path.join(dir, `key${fileCount++}.txt`);
  run('age-keygen', ['-o', file]);
  const identity = fs.readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'))!;
  return { file, identity, recipient: run('age-keygen', ['-y', file]).toString().trim() };
}

describe(`interop with ${ageVersion === null ? 'age (missing)' : `age ${ageVersion}`}`, () => {
  const sizes = [0, 1, 64 * KiB, 64 * KiB + 1, 200 * KiB];

  it.skipIf(missing)('age-keygen identities: recipientOf agrees with age-keygen -y, and age-keygen -y agrees with generateIdentity', () => {
    for (let i = 0; i < 3; i++) {
      const key = keygen();
      expect(recipientOf(key.identity)).toBe(key.recipient);
      const ours = generateIdentity();
      expect(run('age-keygen', ['-y', writeFile(`${ours.identity}\n`)]).toString().trim()).toBe(ours.recipient);
    }
  });

  it.skipIf(missing)('age -d decrypts what encrypt() wrote, binary and armored, to 1 and 5 recipients', () => {
    const theirs = keygen();
    const ours = Array.from({ length: 4 }, () => generateIdentity());
    for (const size of sizes) {
      const data = plaintext(size);
      for (const recipients of [[theirs.recipient], [...ours.map((member) => member.recipient), theirs.recipient]]) {
        const file = encrypt(data, recipients);
        expect(run('age', ['-d', '-i', theirs.file, writeFile(file)]).equals(Buffer.from(data)), `binary, ${size} bytes`).toBe(true);
        expect(run('age', ['-d', '-i', theirs.file, writeFile(armor(file))]).equals(Buffer.from(data)), `armored, ${size} bytes`).toBe(true);
      }
    }
    // And with an identity of ours, handed to age in an identity file.
    const mine = ours[2]!;
    const file = encrypt(plaintext(1000), [theirs.recipient, mine.recipient]);
    expect(run('age', ['-d', '-i', writeFile(`${mine.identity}\n`), writeFile(file)]).equals(Buffer.from(plaintext(1000)))).toBe(true);
  });

  it.skipIf(missing)('decrypt() reads what age -r and age -a -r wrote, to one recipient or several', () => {
    const mine = generateIdentity();
    const theirs = keygen();
    for (const size of sizes) {
      const data = plaintext(size);
      const input = writeFile(data);
      const binary = run('age', ['-r', mine.recipient, input]);
      expect(Buffer.from(decrypt(binary, [mine.identity])).equals(Buffer.from(data)), `binary, ${size} bytes`).toBe(true);
      const armored = run('age', ['-a', '-r', theirs.recipient, '-r', mine.recipient, input]).toString('latin1');
      expect(armored.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n')).toBe(true);
      expect(Buffer.from(decrypt(dearmor(armored), [mine.identity])).equals(Buffer.from(data)), `armored, ${size} bytes`).toBe(true);
      // The identity age-keygen made works here too.
      expect(Buffer.from(decrypt(dearmor(armored), [theirs.identity])).equals(Buffer.from(data))).toBe(true);
    }
  });

  it.skipIf(missing)('armor() gives back age -a output byte for byte once dearmor() has read it', () => {
    // Neither side can armor the other's binary file directly, but the armor is a pure function of
    // the bytes: so both write the same line length, padding and line endings.
    const mine = generateIdentity();
    for (const size of [0, 100, 70 * KiB]) {
      const armored = run('age', ['-a', '-r', mine.recipient, writeFile(plaintext(size))]).toString('latin1');
      expect(armor(dearmor(armored))).toBe(armored);
    }
  });

  it.skipIf(missing)('age refuses what decrypt() refuses: a tampered header or payload of a file encrypt() wrote', () => {
    const theirs = keygen();
    const other = generateIdentity();
    const file = encrypt(plaintext(100), [theirs.recipient, other.recipient]);
    const text = Buffer.from(file).toString('latin1');
    // A character of the other recipient's share: only the header MAC notices.
    const share = text.lastIndexOf('-> X25519 ') + 15;
    const tamperedHeader = Uint8Array.from(file);
    tamperedHeader[share] = tamperedHeader[share] === 0x41 ? 0x42 : 0x41;
    const tamperedBody = Uint8Array.from(file);
    tamperedBody[file.length - 3]! ^= 1;
    for (const tampered of [tamperedHeader, tamperedBody, file.subarray(0, file.length - 1)]) {
      const result = spawnSync('age', ['-d', '-i', theirs.file, writeFile(tampered)]);
      expect(result.status).not.toBe(0);
    }
  });
});
