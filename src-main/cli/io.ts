/** What a CLI run reads and writes, passed in so that tests can run commands in-process. */
export interface CliInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdin: CliInput;
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  /** The controlling terminal, for what must reach a person and never a file; null when there is none. */
  terminal?: () => CliOutput | null;
}

/** A mistake in how tkv was called: exit code 2, with a hint at the right usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Text made harmless for a terminal: control characters (ESC and the rest of C0 but line feeds and
 * tabs, DEL, C1) and bidirectional overrides are written as `\uXXXX`, so that nothing a server sent,
 * or a note someone stored, can move the cursor, rewrite the screen, set the window title or hide
 * text. In JSON output the same escape is a valid string escape, so JSON stays JSON.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function neutralize(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An output whose every write is neutralized; `raw` is the output itself, for tkv's own control codes. */
export function guarded(output: CliOutput): CliOutput & { raw: CliOutput } {
  return {
    get isTTY() {
      return output.isTTY;
    },
    write: (text: string) => output.write(neutralize(text)),
    raw: output,
  };
}

/**
 * An argument quoted back in a message, or a neutral stand-in when it could be a secret: a usage
 * error must never repeat a key typed in the wrong place (shell history is bad enough).
 */
export function quoteArgument(value: string): string {
  return value.length <= 16 && /^[\w.:/@-]*$/.test(value) ? `"${value}"` : 'the value given';
}
