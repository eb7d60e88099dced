// The harness itself behaves as Electron does where this app's bugs hid (support/harness.ts and
// support/page-bridge.ts cite the documentation): window.api comes from the built preload, a Svelte
// proxy cannot cross contextBridge, a foreign page in the window is refused by the router, and the
// page is served by the app's own protocol handler with its CSP and MIME types.
import { expect, test } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../../src-main/shared/content-security-policy.ts';
import { startHarness, type Harness } from './support/harness.ts';

let harness: Harness;

test.beforeAll(async () => {
  harness = await startHarness();
  harness.services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
});

test.afterAll(async () => {
  await harness.close();
});

test('window.api is the built preload’s, frozen; a proxy or a function cannot cross the bridge, a class instance loses its prototype', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
  const outcomes = await page.evaluate(async () => {
    const outcome = async (call: () => Promise<unknown>) => {
      try {
        const result = (await call()) as { ok: boolean; error?: { code: string } };
        return result.ok ? 'ok' : result.error!.code;
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    };
    // What a Svelte $state array or object is: a Proxy over plain data.
    const reactive = new Proxy(['Pass.Read'], {});
    let thrownSynchronously = false;
    try {
      void window.api.server.create({ tenant: 'acme', name: 'x', permissions: reactive as string[], enabled: true });
    } catch {
      thrownSynchronously = true;
    }
    class Query {
      query = {};
      sort = { column: 'name', direction: 'asc' };
      offset = 0;
      limit = 10;
      get extra() {
        return 'on the prototype';
      }
    }
    return {
      frozen: Object.isFrozen(window.api) && Object.isFrozen(window.api.keys),
      thrownSynchronously,
      proxy: await outcome(() => window.api.server.update({ tenant: 'acme', name: 'x', permissions: new Proxy(['Pass.Read'], {}) as string[] })),
      nestedProxy: await outcome(() => window.api.tenants.add(new Proxy({ alias: 'p', tenantId: 'p', environment: 'staging' }, {}) as never)),
      fn: await outcome(() => window.api.tenants.add({ alias: 'f', tenantId: 'f', environment: 'staging', label: (() => 'x') as unknown as string } as never)),
      instance: await outcome(() => window.api.keys.page(new Query() as never)),
      plain: await outcome(() => window.api.tenants.list()),
    };
  });
  expect(outcomes).toEqual({
    frozen: true,
    thrownSynchronously: true,
    proxy: 'Error: An object could not be cloned.',
    nestedProxy: 'Error: An object could not be cloned.',
    fn: 'Error: An object could not be cloned.',
    instance: 'ok',
    plain: 'ok',
  });
});

test('a foreign page in the window gets window.api from the preload, and every call is refused', async ({ page }) => {
  await harness.attach(page);
  await page.route('https://evil.invalid/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title><p>evil</p>' }));
  await page.goto('https://evil.invalid/');
  const before = harness.log.length;
  const answers = await page.evaluate(async () => [await window.api.tenants.list(), await window.api.keys.reveal({ tenant: 'acme', name: 'x' })]);
  expect(answers).toEqual([
    { ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } },
    { ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } },
  ]);
  expect(harness.log.slice(before)).toEqual(['[ipc] refused tenants:list from an untrusted frame', '[ipc] refused keys:reveal from an untrusted frame']);
});

test('the page is served by the app’s protocol handler: its CSP, stated MIME types, a 404 for a missing asset', async ({ page }) => {
  await harness.attach(page);
  const responses: { url: string; status: number; type: string | null; csp: string | null }[] = [];
  page.on('response', (response) => {
    const headers = response.headers();
    responses.push({ url: response.url(), status: response.status(), type: headers['content-type'] ?? null, csp: headers['content-security-policy'] ?? null });
  });
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
  expect(responses[0]).toEqual({ url: harness.url, status: 200, type: 'text/html; charset=utf-8', csp: CONTENT_SECURITY_POLICY });
  const scripts = responses.filter((response) => response.url.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(script).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
  // A script the page asks for that the build does not have: the handler answers 404, and the page says it failed.
  const missing = page.waitForResponse((response) => response.url().endsWith('/assets/missing.js'));
  const failed = page.evaluate(() => new Promise<string>((resolve) => {
    const script = document.createElement('script');
    script.src = '/assets/missing.js';
    script.onerror = () => resolve('error');
    script.onload = () => resolve('loaded');
    document.head.append(script);
  }));
  expect((await missing).status()).toBe(404);
  expect(await failed).toBe('error');
});
