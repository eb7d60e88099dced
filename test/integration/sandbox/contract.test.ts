// Every ApiKeys response of the sandbox, validated against apikeys.openapi.json with Ajv.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema, responseSchema, violations } from '../../support/openapi.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

const LIST = '/api/{tenantId}/admin/apiKeys';
const ONE = '/api/{tenantId}/admin/apiKeys/{keyName}';
let sandbox: TestSandbox;
let admin: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  admin = sandbox.adminKey('demo');
});
afterAll(() => sandbox.dispose());

/** Calls the sandbox and checks status, content type and body against the spec. */
async function conforming(specPath: string, method: string, path: string, status: number, body?: unknown, key = admin): Promise<unknown> {
  const response = await sandbox.call(method, path, { key, ...(body === undefined ? {} : { body }) });
  expect(response.status, `${method} ${path}`).toBe(status);
  if (status === 204) {
    expect(await response.text()).toBe('');
    return null;
  }
  const type = response.headers.get('content-type') ?? '';
  expect(type, `${method} ${path} content type`).toMatch(status >= 400 ? /^application\/problem\+json/ : /^application\/json/);
  const json = (await response.json()) as unknown;
  const documented = [200, 201, 204, 400, 404, 409].includes(status);
  const schema = documented ? responseSchema(specPath, method, status) : problemSchema();
  expect(violations(schema!, json), `${method} ${path} → ${status}: ${JSON.stringify(json)}`).toEqual([]);
  return json;
}

const definition = responseSchema(ONE, 'GET', 200)!;
const strictDefinition = (definition.anyOf as Record<string, unknown>[] | undefined)?.[0] ?? definition;

describe('ApiKeys endpoints against the OpenAPI file', () => {
  it('the vendored spec is the one in ../shared', () => {
    const shared = fileURLToPath(new URL('../../../../shared/specs/apikeys.openapi.json', import.meta.url));
    if (!fs.existsSync(shared)) return; // a clone without ../shared beside it keeps its vendored copy
    expect(fs.readFileSync(new URL('../../support/apikeys.openapi.json', import.meta.url), 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
  });

  it('lists definitions without tokens or hashes', async () => {
    const list = (await conforming(LIST, 'GET', '/api/demo/admin/apiKeys', 200)) as object[];
    expect(list).toEqual([{ name: 'sandbox-admin', enabled: true, permissions: ['*'] }]);
    for (const item of list) expect(violations(strictDefinition, item)).toEqual([]);
  });

  it('creates a key (enabled by default) and returns the token once', async () => {
    const created = (await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 201, { name: 'crm.sync_1-a', permissions: ['Pass.Read'] })) as { token: string };
    expect(created).toEqual({ name: 'crm.sync_1-a', enabled: true, permissions: ['Pass.Read'], token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) });
    const disabled = await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 201, { name: 'off', enabled: false, permissions: ['*'] });
    expect(disabled).toMatchObject({ enabled: false });
    const fetched = await conforming(ONE, 'GET', '/api/demo/admin/apiKeys/crm.sync_1-a', 200);
    expect(fetched).toEqual({ name: 'crm.sync_1-a', enabled: true, permissions: ['Pass.Read'] });
    expect(violations(strictDefinition, fetched)).toEqual([]);
  });

  it('answers 400 with errors.name and errors.permissions for invalid creates', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: 'ok-name' }, ['permissions']],
      [{ name: 'ok-name', permissions: [] }, ['permissions']],
      [{ name: 'has space', permissions: ['*'] }, ['name']],
      [{ name: '', permissions: ['*'] }, ['name']],
      [{ permissions: ['*'] }, ['name']],
      [{ name: 'x', permissions: ['*'], extra: 1 }, ['extra']],
      [{ name: 'x', permissions: ['*'], enabled: 'yes' }, ['enabled']],
    ];
    for (const [body, fields] of cases) {
      const problem = (await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 400, body)) as { errors: Record<string, string[]> };
      expect(Object.keys(problem.errors).sort(), JSON.stringify(body)).toEqual(fields);
    }
    await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 400, 'not json{');
  });

  it('accepts the request content types the spec lists, and 415s others', async () => {
    for (const [type, name] of [
      ['application/json', 'ct-json'],
      ['text/json', 'ct-text-json'],
      ['application/merge-patch+json', 'ct-plus-json'],
    ]) {
      const response = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: admin, headers: { 'Content-Type': type! }, body: JSON.stringify({ name, permissions: ['*'] }) });
      expect(response.status, type).toBe(201);
    }
    const plain = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: admin, headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ name: 'ct-plain', permissions: ['*'] }) });
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers 409 for a taken name', async () => {
    await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 409, { name: 'crm.sync_1-a', permissions: ['*'] });
  });

  it('updates enabled and permissions, and 400s or 404s as documented', async () => {
    expect(await conforming(ONE, 'PUT', '/api/demo/admin/apiKeys/crm.sync_1-a', 200, { enabled: false, permissions: ['Pass.Read', 'Pass.Write'] })).toEqual({
      name: 'crm.sync_1-a',
      enabled: false,
      permissions: ['Pass.Read', 'Pass.Write'],
    });
    expect(await conforming(ONE, 'PUT', '/api/demo/admin/apiKeys/crm.sync_1-a', 200, { enabled: true })).toMatchObject({ enabled: true, permissions: ['Pass.Read', 'Pass.Write'] });
    await conforming(ONE, 'PUT', '/api/demo/admin/apiKeys/crm.sync_1-a', 400, { enabled: true, permissions: [] });
    await conforming(ONE, 'PUT', '/api/demo/admin/apiKeys/crm.sync_1-a', 400, { permissions: ['*'] });
    await conforming(ONE, 'PUT', '/api/demo/admin/apiKeys/nope', 404, { enabled: true });
    await conforming(ONE, 'GET', '/api/demo/admin/apiKeys/nope', 404);
  });

  it('deletes with 204, then 404', async () => {
    await conforming(ONE, 'DELETE', '/api/demo/admin/apiKeys/off', 204);
    await conforming(ONE, 'DELETE', '/api/demo/admin/apiKeys/off', 404);
  });

  it('answers 401 and 403 as ProblemDetails', async () => {
    await conforming(LIST, 'GET', '/api/demo/admin/apiKeys', 401, undefined, 'not-a-key');
    const reader = (await (await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: admin, body: { name: 'reader', permissions: ['tenant.apiKey:read'] } })).json()) as { token: string };
    await conforming(LIST, 'POST', '/api/demo/admin/apiKeys', 403, { name: 'x', permissions: ['*'] }, reader.token);
  });
});
