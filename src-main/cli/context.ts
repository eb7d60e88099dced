/** What every tkv command gets: the IO, the output mode, and the vault, opened on first use. */
import { openVault, type VaultContext } from '../core/open-vault.ts';
import type { VaultService } from '../core/vault/vault-service.ts';
import type { Parsed } from './args.ts';
import type { CliIo, CliOutput } from './io.ts';

export class CommandContext {
  readonly io: CliIo;
  /** stderr as it is, for tkv's own control codes (the progress bar's carriage return); nothing from outside. */
  readonly progress: CliOutput;
  private opened: VaultContext | null = null;

  constructor(io: CliIo, progress: CliOutput = io.stderr) {
    this.io = io;
    this.progress = progress;
  }

  /** The vault's paths, keychain and service, opened once. */
  context(): VaultContext {
    if (!this.opened) {
      this.opened = openVault({ actor: 'cli', env: this.io.env });
      for (const notice of this.opened.notices) this.io.stderr.write(`tkv: notice: ${notice}\n`);
    }
    return this.opened;
  }

  vault(): VaultService {
    return this.context().vault;
  }

  /** Prints `value` as JSON with --json, else the human text; returns exit code 0. */
  print(value: unknown, human: () => string, parsed: Parsed): number {
    this.io.stdout.write(parsed.values.json ? `${JSON.stringify(value, null, 2)}\n` : human());
    return 0;
  }

  usage(usage: string): number {
    this.io.stdout.write(`usage: ${usage}\n`);
    return 0;
  }

  close(): void {
    this.opened?.vault.close();
    this.opened = null;
  }
}
