/**
 * The OS keychain through keytar: macOS Keychain, Windows Credential Manager, Linux Secret Service.
 * Every call has a deadline, because a locked or absent Secret Service can leave a call waiting
 * forever (an unlock prompt nobody answers); a call that misses it becomes KEYCHAIN_UNAVAILABLE.
 * keytar is loaded on first use, so that a machine without libsecret gets that same error instead
 * of a crash at start-up.
 *
 * A locked keyring answers a read with "nothing there" and a delete with "nothing deleted", exactly
 * as for an entry that does not exist, and crashes the process when listed (libsecret hands keytar a
 * null secret). So "nothing there" is believed only once a write of a throwaway entry succeeds (a
 * locked keyring refuses writes), and listing is done only after that proof.
 */
import type keytarModule from 'keytar';
import type { SecretStore } from './secret-store.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { keychainCause, keychainUnavailable } from './keychain-errors.ts';
import { VaultError } from '../errors.ts';
import { PROBE_ACCOUNT_PREFIX } from './secret-store.ts';

type Keytar = typeof keytarModule;

export interface KeytarSecretStoreOptions {
  service: string;
  /** Deadline of each keychain call. */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
  /** Loads keytar; replaced in tests to simulate a missing native module. */
  loadKeytar?: () => Promise<Keytar>;
}

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000;

/** The service of the writability proof's throwaway entries, after the vault's own. */
export const WRITE_TEST_SUFFIX = ' (write test)';

export class KeytarSecretStore implements SecretStore {
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;
  private readonly loadKeytar: () => Promise<Keytar>;
  private keytar: Promise<Keytar> | null = null;
  /** The end of the queue of listings and writes (see `exclusive`). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: KeytarSecretStoreOptions) {
    this.service = options.service;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.platform = options.platform ?? process.platform;
    this.loadKeytar = options.loadKeytar ?? loadNativeKeytar;
  }

  /** Which keychain this is, for a person. */
  get backend(): string {
    return this.platform === 'darwin' ? 'macOS Keychain' : this.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service (libsecret: gnome-keyring, KWallet…)';
  }

  async get(account: string): Promise<string | null> {
    const secret = await this.call('read a secret', (keytar) => keytar.getPassword(this.service, account));
    if (secret === null) await this.assertWritable('read a secret');
    return secret;
  }

  set(account: string, secret: string): Promise<void> {
    return this.call('store a secret', (keytar) => keytar.setPassword(this.service, account, secret), true);
  }

  async delete(account: string): Promise<boolean> {
    const deleted = await this.call('delete a secret', (keytar) => keytar.deletePassword(this.service, account), true);
    if (!deleted) await this.assertWritable('delete a secret');
    return deleted;
  }

  async listAccounts(): Promise<string[]> {
    await this.assertWritable('list secrets');
    // findCredentials also returns the passwords; they are dropped here and never leave this line.
    const credentials = await this.call('list secrets', (keytar) => keytar.findCredentials(this.service), true);
    return credentials.map((credential) => credential.account);
  }

  /**
   * Where the writability proof writes: beside this service, so that an entry of it never appears and
   * vanishes under a listing on Linux or macOS (Windows matches services by prefix, and finds them:
   * listings drop PROBE_ACCOUNT_PREFIX entries for that, and for the doctor's round trip).
   */
  get writeTestService(): string {
    return `${this.service}${WRITE_TEST_SUFFIX}`;
  }

  /**
   * Proof that the keychain is open: a throwaway entry written and deleted. A locked keyring refuses
   * the write; the error names the lock instead of letting "nothing there" pass for an absent entry.
   * The entry goes under a service of its own: an entry appearing and vanishing in this service while
   * another call lists it is the race below.
   */
  private async assertWritable(what: string): Promise<void> {
    const account = `${PROBE_ACCOUNT_PREFIX}${randomUUID()}`;
    try {
      await this.call('write a test entry', (keytar) => keytar.setPassword(this.writeTestService, account, randomBytes(18).toString('base64url')));
    } catch (error) {
      const cause = error instanceof VaultError ? keychainCause(error.message).replace(/^The OS keychain is unavailable: /, '').replace(/ \(keychain service "[^"]*"\)$/, '') : describe(error);
      throw keychainUnavailable(`it is locked or refuses writes, so it cannot ${what} (${cause})`, this.platform, this.service, error);
    }
    await this.call('delete a test entry', (keytar) => keytar.deletePassword(this.writeTestService, account)).catch(() => undefined);
  }

  /**
   * Runs listings, writes and deletes of this service one at a time (reads go on beside them).
   * keytar's listing on Linux searches the service, then loads each entry's secret; an entry deleted
   * in between has none, and keytar then copies from a null pointer and the whole process dies with
   * SIGSEGV (after libsecret's "secret_value_get_text: assertion 'value' failed"). Another process
   * can still delete an entry at that moment; this process never does. The queue moves on only when
   * keytar's call itself ends, never at a caller's deadline: a call still running in keytar is still
   * a danger. A caller's deadline starts when it joins the queue, so behind a hung call each one
   * fails at its own deadline instead of waiting in line.
   */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** One keytar call with its deadline; `exclusive` puts it in the queue above. */
  private async call<T>(what: string, run: (keytar: Keytar) => Promise<T>, exclusive = false): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(keychainUnavailable(`it did not answer within ${this.timeoutMs / 1000} s when asked to ${what}`, this.platform, this.service));
      }, this.timeoutMs);
      // A hung keychain call must not keep a finished CLI process alive.
      timer.unref();
    });
    try {
      // A call whose caller gave up while it waited in the queue is never made: the caller was told it failed.
      const work = () => (late ? Promise.reject(new Error('given up while waiting')) : this.keytarModule().then(run));
      return await Promise.race([exclusive ? this.exclusive(work) : work(), deadline]);
    } catch (error) {
      if (error instanceof VaultError) throw error;
      throw keychainUnavailable(`it failed to ${what} (${describe(error)})`, this.platform, this.service, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private keytarModule(): Promise<Keytar> {
    this.keytar ??= this.loadKeytar().catch((error: unknown) => {
      this.keytar = null;
      throw keychainUnavailable(`the keytar native module could not be loaded (${describe(error)})`, this.platform, this.service, error);
    });
    return this.keytar;
  }
}

/** keytar is CommonJS: ESM sees it as the default export, a CommonJS bundle as the module itself. */
async function loadNativeKeytar(): Promise<Keytar> {
  const loaded = await import('keytar');
  return loaded.default ?? (loaded as unknown as Keytar);
}

/** The first line of an error's message, which for keytar names the D-Bus or OS failure. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 300) || 'unknown error';
}
