/** Starts the real sandbox in-process on loopback, with a scratch state directory. */
import fs from 'node:fs';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src-main/core/sandbox/sandbox-server.ts';
import { scratchDir } from './files.ts';

export interface TestSandbox extends RunningSandbox {
  /** The admin key of `tenantId` (default: the first tenant). */
  adminKey(tenantId?: string): string;
  call(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
  control(method: string, path: string, body?: unknown): Promise<Response>;
  /** Creates a key on the server through the tenant's admin API, as a person would; returns its token (shown once). Throws when the server does not answer 201. */
  createKey(tenantId: string, key: { name: string; permissions: string[]; enabled?: boolean }): Promise<string>;
  dispose(): Promise<void>;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const stateDir = options.stateDir ?? scratchDir('sandbox');
  const sandbox = await startSandbox({ tenants: ['demo', 'acme'], ...options, stateDir });
  const call: TestSandbox['call'] = (method, path, { key, body, headers, signal } = {}) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { ...(key ? { 'X-API-KEY': key } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  const adminKey: TestSandbox['adminKey'] = (tenantId = sandbox.tenants[0]!.tenantId) => sandbox.tenants.find((t) => t.tenantId === tenantId)!.adminKey;
  return {
    ...sandbox,
    adminKey,
    call,
    async createKey(tenantId, key) {
      const response = await call('POST', `/api/${tenantId}/admin/apiKeys`, { key: adminKey(tenantId), body: key });
      if (response.status !== 201) throw new Error(`the sandbox answered ${response.status} to creating ${key.name} on ${tenantId}: ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    control: (method, path, body) => call(method, path, { headers: { Authorization: `Bearer ${sandbox.controlToken}` }, ...(body === undefined ? {} : { body }) }),
    async dispose() {
      await sandbox.close();
      if (!options.stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
