import { describe, expect, it } from 'vitest';
import { checkBaseUrl, checkIsoDate, checkName, checkScopes, checkSecret, isLoopbackHost, normalizeBaseUrl } from '../../../src-main/shared/rules.ts';

describe('input rules', () => {
  it('accepts names of letters, digits, dot, underscore and hyphen only', () => {
    expect(checkName('acme-prod_2.eu', 'Alias')).toBeNull();
    for (const bad of ['', 'has space', 'slash/inside', 'émoji', 'semi;colon', 'a'.repeat(129)]) {
      expect(checkName(bad, 'Alias'), bad).toMatch(/Alias/);
    }
  });

  it('allows https anywhere and http only to loopback', () => {
    expect(checkBaseUrl('https://app.neostore.cloud')).toBeNull();
    expect(checkBaseUrl('http://127.0.0.1:8080')).toBeNull();
    expect(checkBaseUrl('http://127.9.9.9')).toBeNull();
    expect(checkBaseUrl('http://localhost:3000/')).toBeNull();
    expect(checkBaseUrl('http://[::1]:3000')).toBeNull();
    expect(checkBaseUrl('http://example.com')).toMatch(/clear text/);
    expect(checkBaseUrl('http://127.0.0.1.evil.example')).toMatch(/clear text/);
    expect(checkBaseUrl('http://10.0.0.1')).toMatch(/clear text/);
    expect(checkBaseUrl('ftp://example.com')).toMatch(/https/);
    expect(checkBaseUrl('not a url')).toMatch(/not a URL/);
    expect(checkBaseUrl('https://user:pw@example.com')).toMatch(/user name or password/);
    expect(checkBaseUrl('https://example.com/?q=1')).toMatch(/query/);
  });

  it('recognises loopback hosts and nothing else', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.3', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '127.0.0.256', 'localhost.example.com', '0.0.0.0', '::'].some(isLoopbackHost)).toBe(false);
  });

  it('normalizes base URLs without a trailing slash', () => {
    expect(normalizeBaseUrl('https://app.neostore.cloud/')).toBe('https://app.neostore.cloud');
    expect(normalizeBaseUrl('http://127.0.0.1:9000/prefix//')).toBe('http://127.0.0.1:9000/prefix');
  });

  it('requires scopes to be non-empty strings without separators', () => {
    expect(checkScopes(['Pass.Read', 'tenant.core:read', '*'])).toBeNull();
    expect(checkScopes([''])).toMatch(/empty/);
    expect(checkScopes(['a b'])).toMatch(/space or comma/);
    expect(checkScopes(Array.from({ length: 101 }, (_, i) => `s${i}`))).toMatch(/At most/);
  });

  it('accepts only real ISO calendar dates', () => {
    expect(checkIsoDate('2027-02-28', 'Expiry')).toBeNull();
    expect(checkIsoDate('2028-02-29', 'Expiry')).toBeNull();
    expect(checkIsoDate('2027-02-29', 'Expiry')).toMatch(/real calendar date/);
    expect(checkIsoDate('2027-2-3', 'Expiry')).toMatch(/YYYY-MM-DD/);
    expect(checkIsoDate('27/02/2027', 'Expiry')).toMatch(/YYYY-MM-DD/);
  });

  it('bounds secrets and never quotes them in the message', () => {
    const secret = 'sk_live_visible_part';
    expect(checkSecret(secret)).toBeNull();
    expect(checkSecret('x'.repeat(4096))).toBeNull();
    const problems = [checkSecret(''), checkSecret(`${secret}\n`), checkSecret(`${secret}\rmore`), checkSecret('é'.repeat(2049)), checkSecret(`${secret}\u0000`)];
    expect(problems.every((problem) => typeof problem === 'string')).toBe(true);
    expect(problems.join(' ')).not.toContain('sk_live');
  });
});
