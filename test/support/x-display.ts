/**
 * A private X display for clipboard tests: Xvfb on a local socket only (-nolisten tcp), ended by
 * its PID. Null where Xvfb or xclip is missing (.ci/run installs both).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface XDisplay {
  display: string;
  /** The clipboard's text, read with xclip. */
  clipboard(): string;
  /** Puts text on the clipboard, as a person copying something else would. */
  copy(text: string): void;
  close(): void;
}

export async function startXDisplay(): Promise<XDisplay | null> {
  if (spawnSync('which', ['Xvfb']).status !== 0 || spawnSync('which', ['xclip']).status !== 0) return null;
  for (let number = 90 + Math.floor(Math.random() * 400); ; number += 1) {
    if (fs.existsSync(`/tmp/.X11-unix/X${number}`) || fs.existsSync(`/tmp/.X${number}-lock`)) continue;
    const server: ChildProcess = spawn('Xvfb', [`:${number}`, '-nolisten', 'tcp', '-screen', '0', '640x480x24'], { stdio: 'ignore' });
    const display = `:${number}`;
    for (let waited = 0; waited < 5000 && !fs.existsSync(`/tmp/.X11-unix/X${number}`); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const env = { ...process.env, DISPLAY: display };
    return {
      display,
      clipboard: () => spawnSync('xclip', ['-selection', 'clipboard', '-o'], { env, encoding: 'utf8', timeout: 5000 }).stdout ?? '',
      copy: (text) => void spawnSync('xclip', ['-selection', 'clipboard'], { env, input: text, timeout: 5000 }),
      close: () => {
        if (server.pid) process.kill(server.pid);
      },
    };
  }
}
