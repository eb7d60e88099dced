/** What every tkv command gets: the IO, the output mode, and the services, built on first use. */
import os from 'node:os';
import type { HttpClientOptions } from '../core/http/http-client.ts';
import type { UnsavedToken } from '../core/admin/unsaved-tokens.ts';
import { resolveAppPaths } from '../core/paths.ts';
import { createSecretStore, createServices, inventoryLostError, unreadableInventoryError, type Services } from '../core/services.ts';
import type { Parsed } from './args.ts';
import type { CliIo, CliOutput } from './io.ts';

export class CommandContext {
  readonly io: CliIo;
  /** stderr as it is, for tkv's own control codes (the progress bar's carriage return); nothing from outside. */
  readonly progress: CliOutput;
  /**
   * Shows a token the keychain refused after a server created it; a command that can create keys
   * sets it before using the services (it depends on --json and on the terminal).
   */
  onUnsavedToken: ((token: UnsavedToken) => boolean) | null = null;
  private built: Services | null = null;
  /** The HTTP client the command's flags ask for (CommandSpec.http). */
  private readonly http: Omit<HttpClientOptions, 'env'>;

  constructor(io: CliIo, progress: CliOutput = io.stderr, http: Omit<HttpClientOptions, 'env'> = {}) {
    this.io = io;
    this.progress = progress;
    this.http = http;
  }

  /** The HTTP client's options, as the command's flags set them (timeouts, CA file, connections). */
  httpOptions(): Omit<HttpClientOptions, 'env'> {
    return this.http;
  }

  /** The services (core's one composition root), built once per run, with the command's HTTP options. */
  services(): Services {
    if (!this.built) {
      this.built = createServices({ actor: 'cli', env: this.io.env, http: this.http, onUnsavedToken: (token) => this.onUnsavedToken?.(token) ?? false });
      for (const notice of this.built.notices) this.io.stderr.write(`tkv: notice: ${notice}\n`);
    }
    return this.built;
  }

  /**
   * Opens the vault; an inventory that cannot be read is said with what the keychain holds (if it
   * answers) and what to do. Nothing here asks the keychain otherwise.
   */
  async open(): Promise<Services> {
    try {
      return this.services();
    } catch (error) {
      const env = this.io.env;
      throw await unreadableInventoryError(error, resolveAppPaths(env, process.platform, os.homedir()), createSecretStore(env, process.platform));
    }
  }

  /**
   * Opens the vault and stops when its inventory lost its past (or cannot be read), saying what
   * the keychain holds and what to do; `allowLost` lets a command that only looks (reconcile) go on.
   */
  async guard(allowLost: boolean): Promise<void> {
    const services = await this.open();
    const loss = await services.inventoryLoss();
    if (loss && !allowLost) throw inventoryLostError(loss, services.paths.inventoryFile);
  }

  /** Prints `value` as JSON with --json, else the human text; returns exit code 0. */
  print(value: unknown, human: () => string, parsed: Parsed): number {
    this.io.stdout.write(parsed.values.json ? `${JSON.stringify(value, null, 2)}\n` : human());
    return 0;
  }

  async close(): Promise<void> {
    await this.built?.close();
    this.built = null;
  }
}
