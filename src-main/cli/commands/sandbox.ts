/** `tkv sandbox`: runs the local emulator of The Wallet Crew API until SIGINT or SIGTERM. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isLoopbackHost } from '../../shared/rules.ts';
import { SandboxConfigSchema, type SandboxConfig } from '../../core/sandbox/sandbox-config.ts';
import { parseFaultFlag, parseThrottleFlag } from '../../core/sandbox/sandbox-flags.ts';
import { startSandbox } from '../../core/sandbox/sandbox-server.ts';
import { integer, list, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../io.ts';


export async function sandboxCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  const host = text(parsed, 'host') ?? '127.0.0.1';
  const port = integer(parsed, 'port', 0);
  const config = buildConfig(parsed.values as Record<string, unknown>);
  const tenants = list(text(parsed, 'tenants'))?.filter((tenant) => tenant.length > 0);

  const stateDirFlag = text(parsed, 'state-dir');
  const stateDir = stateDirFlag ? path.resolve(stateDirFlag) : fs.mkdtempSync(path.join(os.tmpdir(), 'tkv-sandbox-'));
  if (!isLoopbackHost(host)) {
    context.io.stderr.write(
      `\n!!! WARNING: the sandbox is listening on ${host}, not on loopback. Anyone who can reach this address can use its admin keys and control API. Use it only on a network you trust.\n\n`,
    );
  }
  let sandbox;
  try {
    sandbox = await startSandbox({ host, port, stateDir, ...(tenants?.length ? { tenants } : {}), config });
  } catch (error) {
    if (!stateDirFlag) fs.rmSync(stateDir, { recursive: true, force: true });
    throw new UsageError(`cannot start the sandbox: ${(error as Error).message}`);
  }
  // Listen for the stop signals before announcing readiness: a supervisor may stop the sandbox the
  // moment it reads the ready line, and must still get a clean exit.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const summary = { url: sandbox.url, tenants: sandbox.tenants, controlToken: sandbox.controlToken };
  if (parsed.values.json) {
    context.io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const keys = sandbox.tenants.map((t) => `${t.tenantId} (admin key ${t.adminKeyName}: ${t.adminKey})`).join(', ');
    context.io.stdout.write(`Sandbox listening on ${sandbox.url} — tenants: ${keys} — control token: ${sandbox.controlToken}\n`);
    const first = sandbox.tenants[0]!;
    context.io.stderr.write(
      `State: ${stateDir}${stateDirFlag ? '' : ' (temporary, removed on exit)'}\nTry: curl -H 'X-API-KEY: ${first.adminKey}' ${sandbox.url}/api/${first.tenantId}/admin/apiKeys\nStop with Ctrl-C.\n`,
    );
  }

  await stopped;
  await sandbox.close();
  if (!stateDirFlag) fs.rmSync(stateDir, { recursive: true, force: true });
  return 0;
}

function buildConfig(values: Record<string, unknown>): SandboxConfig {
  let base: unknown = {};
  const file = values.config as string | undefined;
  if (file) {
    try {
      base = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--config ${file}: ${(error as Error).message}`);
    }
  }
  const parsedBase = SandboxConfigSchema.safeParse(base);
  if (!parsedBase.success) throw new UsageError(`--config ${file ?? '(none)'}: ${parsedBase.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsedBase.data;
  try {
    for (const fault of (values.fault as string[] | undefined) ?? []) config.faults.push(parseFaultFlag(fault));
    for (const spec of (values.throttle as string[] | undefined) ?? []) {
      const { target, bucket } = parseThrottleFlag(spec);
      if (target.includes('/')) config.throttle.keys[target] = bucket;
      else config.throttle.tenants[target] = bucket;
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const challenge = values['auth-challenge'];
  if (challenge === 'problem' || challenge === 'empty') config.authChallenge = challenge;
  const checked = SandboxConfigSchema.safeParse(config);
  if (!checked.success) throw new UsageError(checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return checked.data;
}
