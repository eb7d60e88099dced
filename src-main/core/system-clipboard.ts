/**
 * The system clipboard from a terminal, through the platform's own tools: pbcopy/pbpaste on macOS,
 * clip and PowerShell on Windows, wl-copy/wl-paste under Wayland, xclip (or xsel) under X11. The
 * secret goes to the tool on its stdin, never in its arguments.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Clipboard } from './clipboard.ts';

interface Tool {
  name: string;
  write: [string, string[]];
  read: [string, string[]];
}

function installed(command: string): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', [command], { stdio: 'ignore' }).status === 0;
}

/** The clipboard tool for this session, or why there is none. */
export function clipboardTool(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): Tool | { missing: string } {
  if (platform === 'darwin') return { name: 'pbcopy', write: ['pbcopy', []], read: ['pbpaste', []] };
  if (platform === 'win32') return { name: 'clip', write: ['clip', []], read: ['powershell', ['-NoProfile', '-Command', 'Get-Clipboard -Raw']] };
  if (env.WAYLAND_DISPLAY) {
    if (installed('wl-copy')) return { name: 'wl-copy', write: ['wl-copy', []], read: ['wl-paste', ['--no-newline']] };
    return { missing: 'this Wayland session has no wl-copy (install wl-clipboard)' };
  }
  if (env.DISPLAY) {
    if (installed('xclip')) return { name: 'xclip', write: ['xclip', ['-selection', 'clipboard']], read: ['xclip', ['-selection', 'clipboard', '-o']] };
    if (installed('xsel')) return { name: 'xsel', write: ['xsel', ['--clipboard', '--input']], read: ['xsel', ['--clipboard', '--output']] };
    return { missing: 'this X11 session has neither xclip nor xsel (install one)' };
  }
  return { missing: 'there is no desktop session here (no DISPLAY or WAYLAND_DISPLAY), so no clipboard' };
}

function run(command: string, args: string[], input: string | null, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    // xclip stays behind to own the selection: its output is not waited for, only its exit.
    const child = spawn(command, args, { env, stdio: [input === null ? 'ignore' : 'pipe', input === null ? 'pipe' : 'ignore', 'ignore'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code ?? 'a signal'}`))));
    if (input !== null) child.stdin!.end(input);
  });
}

/** The clipboard through a tool. */
export function toolClipboard(tool: Tool, env: NodeJS.ProcessEnv): Clipboard {
  return {
    readText: () => run(tool.read[0], tool.read[1], null, env),
    writeText: async (text) => void (await run(tool.write[0], tool.write[1], text, env)),
  };
}

/**
 * How the app can read the system clipboard back to confirm a clear: under Wayland, where Electron's
 * own `readText` may answer from Chromium's cache, through wl-paste (null without it: a clear cannot
 * be confirmed there); elsewhere the app's own clipboard is the system's (undefined).
 */
export function clipboardConfirmer(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): (() => Promise<string>) | null | undefined {
  if (platform !== 'linux' || !env.WAYLAND_DISPLAY) return undefined;
  const tool = clipboardTool(env, platform);
  return 'missing' in tool ? null : () => toolClipboard(tool, env as NodeJS.ProcessEnv).readText();
}
