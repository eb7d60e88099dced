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
