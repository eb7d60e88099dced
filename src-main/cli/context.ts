/** What every tkv command gets: the IO, the output mode, and the vault, opened on first use. */
import { openVault, type VaultContext } from '../core/open-vault.ts';
import type { VaultService } from '../core/vault/vault-service.ts';
import type { Parsed } from './args.ts';
import type { CliIo } from './io.ts';

export class CommandContext {
  readonly io: CliIo;
  private opened: VaultContext | null = null;

  constructor(io: CliIo) {
    this.io = io;
  }

  /** The vault's paths, keychain and service, opened once. */
  context(): VaultContext {
    this.opened ??= openVault({ actor: 'cli', env: this.io.env });
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
