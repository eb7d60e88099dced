/**
 * What a secret is compared against once the escapes a server may apply to any character are
 * undone: percent escapes of any byte (either hex case, UTF-8 sequences whole), JSON escapes
 * (`\uXXXX` of any character, `\/`, `\n`…), HTML character references (`&amp;`-style names, `&#97;`,
 * `&#x61;`), and line breaks inside a run of base64 (wrapped at 64 or 76 columns, `\n` or `\r\n`).
 * Each position of the view maps back to the span of the original it came from, so that what
 * matches in the view is removed from the original.
 *
 * Text that has nothing to undo costs a few native searches: `normalViews` returns no view at once
 * when the text holds no `%`, `\`, `&`, nor a line break after a long base64 run, which is most of
 * what a server answers.
 */

/** A base64 run at least this long before a line break is taken for a wrapped line and joined to the next. */
export const WRAPPED_RUN = 40;

/** The text with escapes undone, and where each of its characters came from. */
export interface NormalView {
  readonly text: string;
  /** Positions of `text` that differ from the original (a decoded escape, the first character after a dropped line break), ascending. */
  readonly changed: number[];
  /**
   * Where the ending that more text could still change starts: an escape cut by the end of the text,
   * or a line break right after a base64 run. `text.length` when there is none, and always when the
   * text is final.
   */
  readonly unsettledFrom: number;
  /** Where in the original the span of the character at `position` starts. */
  startOf(position: number): number;
  /** Where in the original the span of the character at `position` ends (exclusive). */
  endOf(position: number): number;
}

const UNFINISHED = -1;
const NAMED: readonly (readonly [string, number])[] = [
  ['amp;', 38],
  ['lt;', 60],
  ['gt;', 62],
  ['quot;', 34],
  ['apos;', 39],
  ['AMP;', 38],
  ['LT;', 60],
  ['GT;', 62],
  ['QUOT;', 34],
];
const JSON_SHORT: Record<number, number> = { 47: 47, 34: 34, 92: 92, 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };

const PERCENT = 1;
const JSON_ESCAPES = 2;
const HTML = 4;
const STARTS: Record<number, RegExp> = { [PERCENT]: /%/g, [JSON_ESCAPES]: /\\/g, [HTML]: /&/g, [PERCENT | JSON_ESCAPES]: /[%\\]/g, [PERCENT | HTML]: /[%&]/g, [JSON_ESCAPES | HTML]: /[\\&]/g, [PERCENT | JSON_ESCAPES | HTML]: /[%\\&]/g };

/**
 * The views of `text` with escapes undone; none when each would equal `text`. One view per kind of
 * escape the text holds, and one with all of them undone when it holds several: a secret may hold a
 * character that starts another kind's escape (`\f` in a key written with HTML entities), which
 * undoing every kind at once would turn into something else. `final` is false for a piece of a
 * stream that more text will follow: an escape cut by its end is then left as it is and reported in
 * `unsettledFrom`.
 */
export function normalViews(text: string, final = true): NormalView[] {
  const kinds = (text.includes('%') ? PERCENT : 0) | (text.includes('\\') ? JSON_ESCAPES : 0) | (text.includes('&') ? HTML : 0);
  if (kinds === 0) {
    const joined = hasWrappedLine(text, final) ? viewOf(text, final, 0) : null;
    return joined ? [joined] : [];
  }
  const views: NormalView[] = [];
  for (const kind of [PERCENT, JSON_ESCAPES, HTML]) {
    if ((kinds & kind) === 0) continue;
    const view = viewOf(text, final, kind);
    if (view) views.push(view);
  }
  if (kinds !== PERCENT && kinds !== JSON_ESCAPES && kinds !== HTML) {
    const all = viewOf(text, final, kinds);
    if (all) views.push(all);
  }
  return views;
}

/**
 * A view keeps its map as a list of the escapes it decoded (where each sits in the view, how many
 * characters it decoded to, the span it came from) and of the line breaks it dropped: the text
 * between them maps one to one, so ordinary text in a view costs nothing but its copy.
 */
class View implements NormalView {
  readonly text: string;
  readonly changed: number[];
  readonly unsettledFrom: number;
  /** Per decoded escape, four numbers: its position in the joined text, its length there, its start and end in the original. */
  private readonly escapes: number[];
  /** Per dropped line break, two numbers: the position in `text` it was dropped before, and how many characters were dropped up to there. */
  private readonly drops: number[];

  constructor(text: string, changed: number[], unsettledFrom: number, escapes: number[], drops: number[]) {
    this.text = text;
    this.changed = changed;
    this.unsettledFrom = unsettledFrom;
    this.escapes = escapes;
    this.drops = drops;
  }

  startOf(position: number): number {
    return this.locate(position, false);
  }

  endOf(position: number): number {
    return this.locate(position, true);
  }

  private locate(position: number, end: boolean): number {
    // Back to the text before line breaks were dropped.
    let joined = position;
    let low = 0;
    let high = this.drops.length / 2 - 1;
    let dropped = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.drops[2 * middle]! <= position) {
        dropped = this.drops[2 * middle + 1]!;
        low = middle + 1;
      } else high = middle - 1;
    }
    joined += dropped;
    // Then to the original: the last escape that starts at or before it.
    low = 0;
    high = this.escapes.length / 4 - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.escapes[4 * middle]! <= joined) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found === -1) return joined + (end ? 1 : 0);
    const [at, size, from, to] = this.escapes.slice(4 * found, 4 * found + 4) as [number, number, number, number];
    if (joined < at + size) return end ? to : from;
    return to + (joined - at - size) + (end ? 1 : 0);
  }
}

function viewOf(text: string, final: boolean, kinds: number): NormalView | null {
  // Escapes undone.
  const pieces: string[] = [];
  const escapes: number[] = [];
  const decoded: number[] = [];
  let copied = 0;
  let length = 0;
  let unfinished = -1;
  if (kinds !== 0) {
    const starts = new RegExp(STARTS[kinds]!);
    for (let match = starts.exec(text); match; match = starts.exec(text)) {
      const at = match.index;
      const code = text.charCodeAt(at);
      decoded.length = 0;
      const used = code === 37 ? percentAt(text, at, final, decoded) : code === 92 ? jsonAt(text, at, final, decoded) : entityAt(text, at, final, decoded);
      if (used > 0) {
        pieces.push(text.slice(copied, at), String.fromCharCode(...decoded));
        length += at - copied;
        escapes.push(length, decoded.length, at, at + used);
        length += decoded.length;
        copied = at + used;
        starts.lastIndex = copied;
      } else if (used === UNFINISHED && unfinished === -1) unfinished = length + (at - copied);
    }
  }
  pieces.push(text.slice(copied));
  const joined = escapes.length > 0 ? pieces.join('') : text;
  if (unfinished === -1) unfinished = joined.length;

  // Wrapped base64 lines joined.
  const drops: number[] = [];
  let softBreak = joined.length;
  let out = '';
  let kept = 0;
  let dropped = 0;
  const breakAt = (at: number) => {
    const unit = joined.charCodeAt(at);
    const next = at + 1 < joined.length && at + 1 !== unfinished ? joined.charCodeAt(at + 1) : -1;
    // `\n` or `\r\n`; a `\r` at the end of a stream's chunk may be the first half of `\r\n`.
    const size = unit === 10 || next === -1 ? 1 : next === 10 ? 2 : 0;
    if (size === 0 || !longRunBefore(joined, at)) return at + 1;
    const after = at + size;
    const settled = after < joined.length && after !== unfinished;
    if (settled && isBase64(joined.charCodeAt(after))) {
      out += joined.slice(kept, at);
      dropped += size;
      drops.push(out.length, dropped);
      kept = after;
    } else if (!settled && !final) softBreak = Math.min(softBreak, at - dropped);
    return after;
  };
  for (let at = nextBreak(joined, 0, unfinished); at !== -1; at = nextBreak(joined, breakAt(at), unfinished));
  const view = drops.length > 0 ? out + joined.slice(kept) : joined;
  const toView = (position: number) => {
    let before = 0;
    for (let index = 0; index < drops.length && drops[index]! + drops[index + 1]! <= position; index += 2) before = drops[index + 1]!;
    return position - before;
  };
  const unsettledFrom = Math.min(softBreak, toView(unfinished));
  if (escapes.length === 0 && drops.length === 0 && unsettledFrom === view.length) return null;

  const changed: number[] = [];
  let drop = 0;
  let before = 0;
  for (let index = 0; index < escapes.length; index += 4) {
    for (let unit = 0; unit < escapes[index + 1]!; unit += 1) {
      const position = escapes[index]! + unit;
      for (; drop < drops.length && drops[drop]! + drops[drop + 1]! <= position; drop += 2) before = drops[drop + 1]!;
      changed.push(position - before);
    }
  }
  for (let index = 0; index < drops.length; index += 2) changed.push(drops[index]!);
  if (escapes.length > 0 && drops.length > 0) changed.sort((a, b) => a - b);
  return new View(view, changed, unsettledFrom, escapes, drops);
}

/** The next `\n` (or `\r\n`) from `from`, or a `\r` whose next character is not known yet (`unknown` on); -1 when there is none. */
function nextBreak(text: string, from: number, unknown: number): number {
  const at = text.indexOf('\n', from);
  const newline = at === -1 ? -1 : at > from && text.charCodeAt(at - 1) === 13 ? at - 1 : at;
  const last = unknown - 1;
  if (last >= from && text.charCodeAt(last) === 13 && (newline === -1 || last < newline)) return last;
  return newline;
}

/** A line break after a base64 run long enough to be a wrapped line, followed by more of it (or by the end of a stream's chunk). */
function hasWrappedLine(text: string, final: boolean): boolean {
  if (!final && text.endsWith('\r') && longRunBefore(text, text.length - 1)) return true;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    if (at + 1 < text.length ? !isBase64(text.charCodeAt(at + 1)) : final) continue;
    if (longRunBefore(text, at > 0 && text.charCodeAt(at - 1) === 13 ? at - 1 : at)) return true;
  }
  return false;
}

function longRunBefore(text: string, at: number): boolean {
  let run = 0;
  while (run < WRAPPED_RUN && at - run > 0 && isBase64(text.charCodeAt(at - run - 1))) run += 1;
  return run >= WRAPPED_RUN;
}

function isBase64(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 45 || code === 95;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

function pushCodePoint(point: number, into: number[]): void {
  if (point < 0x10000) into.push(point);
  else into.push(0xd800 + ((point - 0x10000) >> 10), 0xdc00 + ((point - 0x10000) & 0x3ff));
}

/** The byte of the `%XY` at `at`: -1 when there is none, -2 when the text ends inside it. */
function byteAt(text: string, at: number): number {
  if (at >= text.length) return -2;
  if (text.charCodeAt(at) !== 37) return -1;
  if (at + 1 >= text.length) return -2;
  const high = hexValue(text.charCodeAt(at + 1));
  if (high < 0) return -1;
  if (at + 2 >= text.length) return -2;
  const low = hexValue(text.charCodeAt(at + 2));
  return low < 0 ? -1 : high * 16 + low;
}

/** A percent escape, or the escapes of one UTF-8 sequence: the characters used, 0 for none, UNFINISHED when cut. */
function percentAt(text: string, at: number, final: boolean, into: number[]): number {
  const first = byteAt(text, at);
  if (first === -2) return final ? 0 : UNFINISHED;
  if (first < 0) return 0;
  if (first < 0x80) {
    into.push(first);
    return 3;
  }
  const size = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
  if (size === 0) return 0;
  let point = first & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
  for (let index = 1; index < size; index += 1) {
    const next = byteAt(text, at + 3 * index);
    if (next === -2) return final ? 0 : UNFINISHED;
    if (next < 0 || (next & 0xc0) !== 0x80) return 0;
    // Overlong forms and surrogates are not UTF-8.
    if (index === 1 && ((first === 0xe0 && next < 0xa0) || (first === 0xed && next > 0x9f) || (first === 0xf0 && next < 0x90) || (first === 0xf4 && next > 0x8f))) return 0;
    point = (point << 6) | (next & 0x3f);
  }
  pushCodePoint(point, into);
  return 3 * size;
}

/** A JSON string escape. */
function jsonAt(text: string, at: number, final: boolean, into: number[]): number {
  if (at + 1 >= text.length) return final ? 0 : UNFINISHED;
  const kind = text.charCodeAt(at + 1);
  if (kind === 117) {
    let unit = 0;
    for (let index = at + 2; index < at + 6; index += 1) {
      if (index >= text.length) return final ? 0 : UNFINISHED;
      const digit = hexValue(text.charCodeAt(index));
      if (digit < 0) return 0;
      unit = unit * 16 + digit;
    }
    into.push(unit);
    return 6;
  }
  const short = JSON_SHORT[kind];
  if (short === undefined) return 0;
  into.push(short);
  return 2;
}

/** An HTML character reference: a few names, decimal and hexadecimal numbers (the `;` may be missing after a number, as browsers allow). */
function entityAt(text: string, at: number, final: boolean, into: number[]): number {
  if (at + 1 >= text.length) return final ? 0 : UNFINISHED;
  if (text.charCodeAt(at + 1) === 35) {
    let index = at + 2;
    const hex = index < text.length && (text.charCodeAt(index) | 0x20) === 120;
    if (hex) index += 1;
    const digitsFrom = index;
    let point = 0;
    for (; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      const digit = hex ? hexValue(code) : code >= 48 && code <= 57 ? code - 48 : -1;
      if (digit < 0) break;
      point = Math.min(point * (hex ? 16 : 10) + digit, 0x110000);
    }
    if (index >= text.length && !final) return UNFINISHED;
    if (index === digitsFrom || point === 0 || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return 0;
    pushCodePoint(point, into);
    return index - at + (text.charCodeAt(index) === 59 ? 1 : 0);
  }
  for (const [name, unit] of NAMED) {
    if (text.startsWith(name, at + 1)) {
      into.push(unit);
      return name.length + 1;
    }
  }
  if (!final && text.length - at - 1 < 5) {
    const rest = text.slice(at + 1);
    if (NAMED.some(([name]) => name.startsWith(rest))) return UNFINISHED;
  }
  return 0;
}
