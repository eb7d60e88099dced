/**
 * Finds the known secrets in a text, in every form and in any fragment of MIN_FRAGMENT characters,
 * and says which characters of the original they cover. The redactor replaces what it covers; the
 * stream redactor also asks how much of a chunk's end could still grow into a secret.
 *
 * Two passes. The first compares the text as it is (percent escapes in upper case) with every
 * fragment of every form: that is the common case, and what finds a fragment of an escaped form cut
 * short. The second compares the normal views (escapes undone, wrapped base64 joined; normal-view.ts),
 * and only around the places where it differs from the text, so text with nothing to undo costs
 * nothing more. Hex is also compared without regard to case.
 */
import { base64FormsOf, formsOf, MIN_FRAGMENT } from './forms.ts';
import { normalViews, type NormalView } from './normal-view.ts';

/** Secrets shorter than this are not looked for: they would match ordinary text everywhere. */
export const MIN_SECRET = 6;

const PERCENT_HEX = /%[0-9a-f]{2}/gi;
const MIXED_HEX = /[0-9a-fA-F]{12,}/g;
/**
 * The shortest ending of a chunk held back as the beginning of a fragment (a form's own beginning is
 * held from one character). Shorter, most words would wait for the next chunk; and fewer characters
 * of a secret are no leak.
 */
const MIN_BEGINNING = 4;
/** 2^16 bits, one per hash of a fragment's first four characters: most windows of a text are ruled out without a slice or a set lookup. */
const FILTER_BITS = 16;

/**
 * How many windows the filter lets through before their fragments are put in a set: a check's
 * redactor looks at a few hundred characters once (one window in fifty passes the filter, and each
 * is looked for in the forms), a stream's at megabytes (the set pays for itself there).
 */
const HITS_BEFORE_SET = 64;

interface Built {
  /** Every window of MIN_FRAGMENT characters of the long forms; made once the filter has let HITS_BEFORE_SET windows through. */
  fragments: Set<string> | null;
  /** Windows let through by the filter so far, while `fragments` is not made. */
  hits: number;
  /** The forms of MIN_FRAGMENT characters or more: a window is a fragment when one of them holds it. */
  longForms: string[];
  /** The fragments of the secrets' base64 forms, made on first use: a covered run that starts with one is an encoded value (see widenIntoEncodedEdges). */
  base64Fragments: Set<string> | null;
  /** The secrets, for base64Fragments. */
  secrets: string[];
  filter: Uint32Array;
  /** Forms shorter than MIN_FRAGMENT, matched whole. */
  shortForms: string[];
  /** Every form, for the stream's look at what could begin one. */
  forms: string[];
  /** Built on the first stream use: what a chunk may end with that could grow into a form or a fragment of one (see MIN_BEGINNING). */
  beginnings: Set<string> | null;
}

/** What a text holds of the known secrets. */
export interface Coverage {
  /** 1 for each character of the original that is part of a secret's form; null when none is. */
  covered: Uint8Array | null;
  /** The normal views the second pass used (none when the text had nothing to undo). */
  views: NormalView[];
}

/** The known secrets of one operation, and where they are in a text. */
export class SecretMatcher {
  readonly secrets = new Set<string>();
  private built: Built | null = null;

  /** Adds a secret; null, undefined and very short strings are ignored. */
  add(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.built = null;
  }

  /** Which characters of `text` belong to a known secret. `final` is false for a piece of a stream (see normalViews). */
  cover(text: string, final = true): Coverage {
    if (this.secrets.size === 0 || text.length === 0) return { covered: null, views: [] };
    const built = this.build();
    let covered: Uint8Array | null = null;
    const mark = (from: number, to: number) => {
      covered ??= new Uint8Array(text.length);
      covered.fill(1, from, to);
    };

    // As written. Percent escapes compared in upper case; the copy keeps every position of the original.
    const plain = text.includes('%') ? text.replace(PERCENT_HEX, (escape) => escape.toUpperCase()) : text;
    scanWindows(plain, built, 0, plain.length - MIN_FRAGMENT, mark);
    scanMixedHex(plain, built, mark);
    for (const form of built.shortForms) for (let at = plain.indexOf(form); at !== -1; at = plain.indexOf(form, at + 1)) mark(at, at + form.length);

    // With escapes undone: only what holds a changed position can match anew.
    const views = normalViews(text, final);
    for (const view of views) {
      const back = (from: number, to: number) => mark(view.startOf(from), view.endOf(to - 1));
      let from = -1;
      let to = -1;
      for (const position of view.changed) {
        const start = Math.max(0, position - MIN_FRAGMENT + 1);
        const end = Math.min(view.text.length, position + MIN_FRAGMENT);
        if (start <= to) to = Math.max(to, end);
        else {
          if (from !== -1) scanRegion(view.text, from, to, built, back);
          [from, to] = [start, end];
        }
      }
      if (from !== -1) scanRegion(view.text, from, to, built, back);
    }
    if (covered) widenIntoEncodedEdges(text, covered, base64FragmentsOf(built));
    return { covered, views };
  }

  /**
   * Where the part of a stream's `text` starts that more text could still turn into (or extend) a
   * secret's form: the beginning of a form or of a fragment of one, an escape cut short, a wrapped
   * base64 line, a covered run that reaches the end. `text.length` when all of it is settled.
   */
  unsettledFrom(text: string, { covered, views }: Coverage): number {
    if (this.secrets.size === 0) return text.length;
    const beginnings = this.beginnings();
    const longest = MIN_FRAGMENT - 1;
    let hold = text.length;
    // As written: the longest ending that begins some form or fragment.
    for (let size = Math.min(longest, text.length); size > 0; size -= 1) {
      if (begins(beginnings, text.slice(text.length - size).replace(PERCENT_HEX, (escape) => escape.toUpperCase()))) {
        hold = text.length - size;
        break;
      }
    }
    // In the normal view: the same, before an unfinished escape or a wrapped line's break, which are held too.
    let soft = text.length;
    for (const view of views) {
      const end = view.unsettledFrom;
      let size = Math.min(longest, end);
      for (; size > 0; size -= 1) if (begins(beginnings, view.text.slice(end - size, end))) break;
      if (size > 0) hold = Math.min(hold, view.startOf(end - size));
      else {
        // A line break alone is not held (a line ending in a long word would wait for the next one); an escape after it is.
        let escape = end;
        while (escape < view.text.length && isLineBreak(view.text.charCodeAt(escape))) escape += 1;
        if (escape < view.text.length) hold = Math.min(hold, view.startOf(escape));
      }
      if (end < view.text.length) soft = Math.min(soft, view.startOf(end));
    }
    // A covered run that reaches what is held (or a wrapped line's break) may go on in the next chunk.
    if (covered) {
      const edge = Math.min(hold, soft);
      for (let at = Math.max(0, edge - 1); at < text.length; at += 1) {
        if (!covered[at]) continue;
        let start = at;
        while (start > 0 && covered[start - 1]) start -= 1;
        hold = Math.min(hold, start);
        break;
      }
    }
    return hold;
  }

  private build(): Built {
    if (this.built) return this.built;
    const filter = new Uint32Array(1 << (FILTER_BITS - 5));
    const shortForms = new Set<string>();
    const forms: string[] = [];
    const longForms: string[] = [];
    for (const secret of this.secrets) {
      // The text is compared with its percent escapes in upper case: a form that holds something
      // like one (a key with `%ab` in it) is compared that way too.
      const written = formsOf(secret).flatMap((form) => {
        const upper = form.replace(PERCENT_HEX, (escape) => escape.toUpperCase());
        return upper === form ? [form] : [form, upper];
      });
      for (const form of written) {
        forms.push(form);
        if (form.length < MIN_FRAGMENT) {
          shortForms.add(form);
          continue;
        }
        longForms.push(form);
        for (let index = 0; index + MIN_FRAGMENT <= form.length; index += 1) {
          const hash = hashAt(form, index);
          filter[hash >>> 5]! |= 1 << (hash & 31);
        }
      }
    }
    this.built = { fragments: null, hits: 0, longForms, base64Fragments: null, secrets: [...this.secrets], filter, shortForms: [...shortForms], forms, beginnings: null };
    return this.built;
  }

  private beginnings(): Set<string> {
    const built = this.build();
    if (built.beginnings) return built.beginnings;
    const beginnings = new Set<string>();
    for (const form of built.forms) {
      for (let at = 0; at < form.length; at += 1) {
        // A form's own beginning from its first character; a fragment's from MIN_BEGINNING on.
        for (let size = at === 0 ? 1 : MIN_BEGINNING; size < MIN_FRAGMENT && at + size <= form.length; size += 1) beginnings.add(form.slice(at, at + size));
      }
    }
    built.beginnings = beginnings;
    return beginnings;
  }
}

function hashAt(text: string, at: number): number {
  let hash = text.charCodeAt(at);
  hash = Math.imul(hash, 31) + text.charCodeAt(at + 1);
  hash = Math.imul(hash, 31) + text.charCodeAt(at + 2);
  hash = Math.imul(hash, 31) + text.charCodeAt(at + 3);
  return (hash ^ (hash >>> FILTER_BITS)) & ((1 << FILTER_BITS) - 1);
}

/** Marks every window starting in [from, to] that is a fragment of a form. */
function scanWindows(text: string, built: Built, from: number, to: number, mark: (from: number, to: number) => void): void {
  const { filter } = built;
  for (let index = from; index <= to; index += 1) {
    const hash = hashAt(text, index);
    if ((filter[hash >>> 5]! & (1 << (hash & 31))) === 0) continue;
    if (isFragment(built, text.slice(index, index + MIN_FRAGMENT))) mark(index, index + MIN_FRAGMENT);
  }
}

/** True when a long form holds `window`: looked for in the forms at first, in a set of every fragment once the text has let many through. */
function isFragment(built: Built, window: string): boolean {
  if (built.fragments) return built.fragments.has(window);
  built.hits += 1;
  if (built.hits > HITS_BEFORE_SET) {
    const fragments = new Set<string>();
    for (const form of built.longForms) for (let index = 0; index + MIN_FRAGMENT <= form.length; index += 1) fragments.add(form.slice(index, index + MIN_FRAGMENT));
    built.fragments = fragments;
    return fragments.has(window);
  }
  for (const form of built.longForms) if (form.includes(window)) return true;
  return false;
}

/** The fragments of the secrets' base64 forms, made the first time a text holds a secret. */
function base64FragmentsOf(built: Built): Set<string> {
  if (built.base64Fragments) return built.base64Fragments;
  const fragments = new Set<string>();
  for (const secret of built.secrets) for (const form of base64FormsOf(secret)) for (let index = 0; index + MIN_FRAGMENT <= form.length; index += 1) fragments.add(form.slice(index, index + MIN_FRAGMENT));
  built.base64Fragments = fragments;
  return fragments;
}

/** Everything in `text` from `from` to `to` (windows, mixed-case hex, short forms). */
function scanRegion(text: string, from: number, to: number, built: Built, mark: (from: number, to: number) => void): void {
  scanWindows(text, built, from, to - MIN_FRAGMENT, mark);
  const part = text.slice(from, to);
  const shifted = (start: number, end: number) => mark(from + start, from + end);
  scanMixedHex(part, built, shifted);
  for (const form of built.shortForms) for (let at = part.indexOf(form); at !== -1; at = part.indexOf(form, at + 1)) shifted(at, at + form.length);
}

/** Hex in mixed case (upper and lower alike are forms of their own): compared in lower case. */
function scanMixedHex(text: string, built: Built, mark: (from: number, to: number) => void): void {
  MIXED_HEX.lastIndex = 0;
  for (let match = MIXED_HEX.exec(text); match; match = MIXED_HEX.exec(text)) {
    const run = match[0];
    const lower = run.toLowerCase();
    if (lower === run || run.toUpperCase() === run) continue;
    scanWindows(lower, built, 0, lower.length - MIN_FRAGMENT, (from, to) => mark(match.index + from, match.index + to));
  }
}

function begins(beginnings: Set<string>, ending: string): boolean {
  if (beginnings.has(ending)) return true;
  return /^[0-9a-fA-F]+$/.test(ending) && beginnings.has(ending.toLowerCase());
}

const BASE64_CHAR = /^[A-Za-z0-9+/_-]$/;

/**
 * A secret's base64 shares its last character with what follows it, unless its length is a multiple
 * of three: that character carries up to four bits of the secret's last byte, and the forms leave it
 * out (it depends on the next byte, or on the padding, too). So a covered run that ends with a window
 * of a secret's base64 takes the character after it as well, when that is a base64 character. Not
 * across a line break (a wrapped value's next line and a line of ordinary text look alike), and not
 * the first character at an odd alignment, the same kind of neighbour: a stream would have to hold
 * back the last letter of every chunk to conceal it, and the same output is owed whether the text
 * came whole or in pieces.
 */
function widenIntoEncodedEdges(text: string, covered: Uint8Array, base64Fragments: Set<string>): void {
  let at = 0;
  while (at < text.length) {
    if (!covered[at]) {
      at += 1;
      continue;
    }
    let end = at;
    while (end < text.length && covered[end]) end += 1;
    // An encoded value: it ends with a window of a secret's base64, line breaks of a wrapped value
    // left out (a secret written as it is, followed by a letter, is not one).
    let window = '';
    for (let index = end - 1; index >= at && window.length < MIN_FRAGMENT; index -= 1) if (!isLineBreak(text.charCodeAt(index))) window = text[index]! + window;
    if (window.length === MIN_FRAGMENT && base64Fragments.has(window)) {
      const after = encodedNeighbour(text, end);
      if (after !== -1) covered.fill(1, end, after + 1);
      end = Math.max(end, after + 1);
    }
    at = end;
  }
}

/** `at` when the character there is a base64 character, else -1. */
function encodedNeighbour(text: string, at: number): number {
  return at < text.length && BASE64_CHAR.test(text[at]!) ? at : -1;
}

function isLineBreak(code: number): boolean {
  return code === 10 || code === 13;
}
