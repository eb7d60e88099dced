/**
 * The system `git`, as the team repository's carrier: run as a child process (never a shell), so a
 * person's SSH keys, credential helpers and remotes work as they do for them. Nothing secret ever
 * passes through it: only age files and signed metadata are committed, and no argument carries a
 * secret.
 */
import { execFile } from 'node:child_process';
import { VaultError } from '../errors.ts';

type Env = Record<string, string | undefined>;

/** What a git run printed, and how it ended. */
export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The identity a commit is made under when the person has none configured for git. */
export interface GitAuthor {
  name: string;
  email: string;
}

/** Git could not be started at all: not installed, or not on PATH. */
export class GitMissingError extends VaultError {
  constructor() {
    super('CONFLICT', 'git is not installed (or not on PATH): the team repository is carried by git. Install git, then try again.', { remedies: [{ code: 'run-doctor' }] });
  }
}

export class Git {
  readonly dir: string;
  private readonly env: Env;
  private author: GitAuthor | null;

  /** `author` is used only where git has no user.name/user.email of its own for this repository. */
  constructor(dir: string, options: { env?: Env; author?: GitAuthor } = {}) {
    this.dir = dir;
    this.env = options.env ?? process.env;
    this.author = options.author ?? null;
  }

  /** Runs `git args…` in the repository; resolves with its output whatever its exit code. */
  run(args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<GitRun> {
    return runGit(args, { cwd: options.cwd ?? this.dir, env: { ...this.env, ...this.authorEnv() }, timeoutMs: options.timeoutMs });
  }

  /** Runs git and returns its standard output; a non-zero exit becomes a VaultError quoting git's own words. */
  async ok(args: string[], what: string, options: { timeoutMs?: number; cwd?: string } = {}): Promise<string> {
    const run = await this.run(args, options);
    if (run.code !== 0) throw new VaultError('CONFLICT', `${what}: git said "${gitWords(run)}".`);
    return run.stdout;
  }

  /** Whether the repository has a remote named origin. */
  async hasRemote(): Promise<boolean> {
    const run = await this.run(['remote']);
    return run.code === 0 && run.stdout.split('\n').includes('origin');
  }

  /** The current branch's name (main for a new team). */
  async branch(): Promise<string> {
    return (await this.ok(['symbolic-ref', '--short', 'HEAD'], 'The team repository has no current branch')).trim();
  }

  /** The short hash of the commit that last changed `file`, its author and subject; null when none did. */
  async lastChange(file: string): Promise<{ commit: string; author: string; subject: string } | null> {
    const run = await this.run(['log', '-1', '--format=%h%x09%an%x09%s', '--', file]);
    const [commit, author, subject] = run.stdout.trim().split('\t');
    return run.code === 0 && commit ? { commit, author: author ?? '', subject: subject ?? '' } : null;
  }

  /** Commits everything changed in the working tree (additions and deletions); false when nothing changed. */
  async commitAll(message: string): Promise<boolean> {
    await this.ok(['add', '--all'], 'The team repository’s changes could not be staged');
    const staged = await this.run(['diff', '--cached', '--quiet']);
    if (staged.code === 0) return false;
    await this.ok(['commit', '--quiet', '--no-verify', '-m', message], 'The team repository’s change could not be committed');
    return true;
  }

  /** Commits here not on origin's branch and there not here, as last fetched (all of HEAD's when origin has none). */
  async aheadBehind(branch: string): Promise<{ ahead: number; behind: number }> {
    const remoteRef = `origin/${branch}`;
    if ((await this.run(['rev-parse', '--verify', '--quiet', remoteRef])).code !== 0) {
      const count = await this.run(['rev-list', '--count', 'HEAD']);
      return { ahead: Number(count.stdout.trim()) || 0, behind: 0 };
    }
    const counts = await this.run(['rev-list', '--left-right', '--count', `HEAD...${remoteRef}`]);
    const [ahead, behind] = counts.stdout.trim().split(/\s+/).map(Number);
    return { ahead: ahead ?? 0, behind: behind ?? 0 };
  }

  /** The commits after `from` up to `to`: short hash, author, subject. */
  async commitsBetween(from: string, to: string): Promise<{ commit: string; author: string; subject: string }[]> {
    const log = await this.run(['log', '--format=%h%x09%an%x09%s', `${from}..${to}`]);
    return log.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [commit = '', author = '', subject = ''] = line.split('\t');
        return { commit, author, subject };
      });
  }

  /** Each file with the commit that last changed it, and that commit's author. */
  async withCommits<T extends { file: string }>(items: T[]): Promise<(T & { commit: string | null; author: string | null })[]> {
    const out: (T & { commit: string | null; author: string | null })[] = [];
    for (const item of items) {
      const change = await this.lastChange(item.file);
      out.push({ ...item, commit: change?.commit ?? null, author: change?.author ?? null });
    }
    return out;
  }

  /**
   * A bare repository whose HEAD names a branch nobody pushed (git's default is not the team's
   * main) clones empty: the team's branch is checked out instead, main first.
   */
  async checkoutTeamBranch(): Promise<void> {
    const branches = (await this.run(['for-each-ref', '--format=%(refname:short)', 'refs/remotes/origin'])).stdout
      .split('\n')
      .map((line) => line.trim().replace(/^origin\//, ''))
      .filter((name) => name !== '' && name !== 'HEAD' && name !== 'origin');
    const branch = branches.includes('main') ? 'main' : branches.length === 1 ? branches[0]! : null;
    if (branch) await this.run(['checkout', '--quiet', '-B', branch, '--track', `origin/${branch}`]);
  }

  /** Every version ever committed (in any ref) of the files under `folder`: their contents, oldest history included. */
  async contentsEver(folder: string): Promise<string[]> {
    const listing = await this.run(['rev-list', '--all', '--objects', '--', folder]);
    const blobs = [...new Set(listing.stdout.split('\n').filter((line) => line.includes(` ${folder}/`)).map((line) => line.split(' ')[0]!))];
    const contents: string[] = [];
    for (const blob of blobs) {
      const shown = await this.run(['cat-file', '-p', blob]);
      if (shown.code === 0) contents.push(shown.stdout);
    }
    return contents;
  }

  private authorEnv(): Env {
    if (!this.author) return {};
    // Only where git itself would otherwise refuse to commit: a person's own identity wins.
    const configured = this.env.GIT_AUTHOR_EMAIL ?? this.env.EMAIL;
    if (configured) return {};
    return {
      GIT_AUTHOR_NAME: this.env.GIT_AUTHOR_NAME ?? this.author.name,
      GIT_AUTHOR_EMAIL: this.author.email,
      GIT_COMMITTER_NAME: this.env.GIT_COMMITTER_NAME ?? this.author.name,
      GIT_COMMITTER_EMAIL: this.env.GIT_COMMITTER_EMAIL ?? this.author.email,
    };
  }

  /** Keeps a person's configured git identity: the fallback author applies only when git has none. */
  async preferConfiguredAuthor(): Promise<void> {
    if (!this.author) return;
    const email = await runGit(['config', 'user.email'], { cwd: this.dir, env: this.env });
    if (email.code === 0 && email.stdout.trim() !== '') this.author = null;
  }
}

/** Runs git anywhere (a clone has no repository yet). Never through a shell; output capped at 16 MiB. */
export function runGit(args: string[], options: { cwd: string; env: Env; timeoutMs?: number }): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        // No pager, no editor, and no prompt on a terminal the app does not have; SSH still asks its agent.
        // Paths are literal, never patterns: a file named `*.json` in the repository names itself only.
        env: { ...options.env, GIT_PAGER: 'cat', GIT_EDITOR: 'true', GIT_TERMINAL_PROMPT: options.env.GIT_TERMINAL_PROMPT ?? '0', GIT_LITERAL_PATHSPECS: '1', LC_ALL: 'C' } as NodeJS.ProcessEnv,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new GitMissingError());
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Whether git can be run, and its version line; for the doctor. */
export async function gitVersion(env: Env = process.env): Promise<string | null> {
  try {
    const run = await runGit(['--version'], { cwd: process.cwd(), env, timeoutMs: 10_000 });
    return run.code === 0 ? run.stdout.trim() : null;
  } catch {
    return null;
  }
}

/** Git's own last words of a failed run, on one line, shortened. */
export function gitWords(run: GitRun): string {
  const text = (run.stderr.trim() || run.stdout.trim() || `exit ${run.code}`)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-3)
    .join(' ')
    // A remote's address may carry a user and a password or token: never repeated.
    .replace(/:\/\/[^/@\s]+@/g, '://…@');
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}
