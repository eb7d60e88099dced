/**
 * Bech32 (BIP 173) as age uses it: the checksum and character set of BIP 173, without its
 * 90-character limit (an age identity is 74 characters, a post-quantum recipient far longer).
 *
 *   age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj
 *   └┬┘│└──────────────── data, 5 bits a character ───────┘└─┬──┘
 *   hrp separator (the last "1")                           checksum
 *
 * Errors say what is wrong and never repeat the string: an age identity is a private key.
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;
const CHECKSUM_LENGTH = 6;

/** Why a string is not valid Bech32. */
export type Bech32Problem =
  | 'mixed-case'
  | 'no-separator'
  | 'empty-hrp'
  | 'bad-hrp-character'
  | 'bad-data-character'
  | 'too-short'
  | 'bad-checksum'
  | 'bad-padding';

const PROBLEM_TEXT: Record<Bech32Problem, string> = {
  'mixed-case': 'it mixes upper- and lower-case letters',
  'no-separator': 'it has no "1" separating the prefix from the data',
  'empty-hrp': 'it has nothing before the "1" separator',
  'bad-hrp-character': 'its prefix has a character outside printable ASCII',
  'bad-data-character': 'its data part has a character Bech32 does not use',
  'too-short': 'its data part is shorter than a checksum',
  'bad-checksum': 'its checksum does not match (a character is wrong, missing or extra)',
  'bad-padding': 'its data part does not end on a whole byte',
};

/** A string that is not valid Bech32; the message never contains the string. */
export class Bech32Error extends Error {
  readonly problem: Bech32Problem;

  constructor(problem: Bech32Problem) {
    super(`not valid Bech32: ${PROBLEM_TEXT[problem]}`);
    this.name = 'Bech32Error';
    this.problem = problem;
  }
}

function polymod(values: readonly number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = (((checksum & 0x1ffffff) << 5) ^ value) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum = (checksum ^ GENERATORS[i]!) >>> 0;
  }
  return checksum;
}

function expandHrp(hrp: string): number[] {
  const high: number[] = [];
  const low: number[] = [];
  for (let i = 0; i < hrp.length; i++) {
    const code = hrp.charCodeAt(i);
    high.push(code >>> 5);
    low.push(code & 31);
  }
  return [...high, 0, ...low];
}

/** Regroups bits; from 8 to 5 pads with zeros, from 5 to 8 refuses leftover bits that are not zero padding. */
function regroup(values: ArrayLike<number>, fromBits: number, toBits: number, pad: boolean): number[] {
  let accumulator = 0;
  let bits = 0;
  const out: number[] = [];
  const mask = (1 << toBits) - 1;
  for (let i = 0; i < values.length; i++) {
    accumulator = ((accumulator << fromBits) | values[i]!) & 0xfff;
    bits += fromBits;
    while (bits >= toBits) {
      bits -= toBits;
      out.push((accumulator >>> bits) & mask);
    }
  }
  if (pad) {
    if (bits > 0) out.push((accumulator << (toBits - bits)) & mask);
  } else if (bits >= fromBits || ((accumulator << (toBits - bits)) & mask) !== 0) {
    throw new Bech32Error('bad-padding');
  }
  return out;
}

/** Encodes bytes under a human-readable prefix, all lower case as BIP 173 requires of encoders. */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  const prefix = hrp.toLowerCase();
  if (prefix.length === 0) throw new Bech32Error('empty-hrp');
  for (let i = 0; i < prefix.length; i++) {
    const code = prefix.charCodeAt(i);
    if (code < 33 || code > 126) throw new Bech32Error('bad-hrp-character');
  }
  const words = regroup(data, 8, 5, true);
  const mod = polymod([...expandHrp(prefix), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: CHECKSUM_LENGTH }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...words, ...checksum].map((word) => CHARSET[word]).join('')}`;
}

/**
 * Decodes an all-lower-case or all-upper-case Bech32 string. The prefix comes back lower-cased
 * (the form the checksum is computed over), so callers compare it with one spelling.
 */
export function bech32Decode(text: string): { hrp: string; data: Uint8Array } {
  const lower = text.toLowerCase();
  if (lower !== text && text.toUpperCase() !== text) throw new Bech32Error('mixed-case');
  const separator = lower.lastIndexOf('1');
  if (separator < 0) throw new Bech32Error('no-separator');
  if (separator === 0) throw new Bech32Error('empty-hrp');
  const hrp = lower.slice(0, separator);
  for (let i = 0; i < hrp.length; i++) {
    const code = hrp.charCodeAt(i);
    if (code < 33 || code > 126) throw new Bech32Error('bad-hrp-character');
  }
  const words: number[] = [];
  for (const character of lower.slice(separator + 1)) {
    const word = CHARSET.indexOf(character);
    if (word < 0) throw new Bech32Error('bad-data-character');
    words.push(word);
  }
  if (words.length < CHECKSUM_LENGTH) throw new Bech32Error('too-short');
  if (polymod([...expandHrp(hrp), ...words]) !== 1) throw new Bech32Error('bad-checksum');
  return { hrp, data: Uint8Array.from(regroup(words.slice(0, -CHECKSUM_LENGTH), 5, 8, false)) };
}
