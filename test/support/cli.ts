/** Runs the real `tkv` executable in a child process, as a person or a script would. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TKV = fileURLToPath(new URL('../../src-main/cli/tkv.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `tkv args…` with `stdin` piped in (or closed), in the given environment. */
export function runTkv(args: string[], options: { env: Record<string, string | undefined>; stdin?: string; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [TKV, ...args], { env: options.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    // A command that needs no input may exit before reading it: its stdin then closes under our
    // write (EPIPE), which is the command's right, not the run's failure.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
