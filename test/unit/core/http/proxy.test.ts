// Which requests go through a proxy: NO_PROXY read as curl reads it, and loopback never proxied.
import { describe, expect, it } from 'vitest';
import { proxyFor, proxySettings } from '../../../../src-main/core/http/proxy.ts';

const PROXY = 'http://proxy.corp.invalid:3128';
const via = (url: string, env: Record<string, string>) => proxyFor(new URL(url), proxySettings(env));

describe('proxyFor', () => {
  it('never proxies loopback: 127.0.0.0/8, ::1 and localhost, for http or https', () => {
    const env = { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY };
    for (const url of ['http://127.0.0.1:8080/a', 'http://127.3.4.5/', 'http://localhost:9/', 'http://[::1]:9/', 'https://localhost/']) expect(via(url, env), url).toBeNull();
    // A name under .localhost goes through DNS like any other name, so it is no exception.
    expect(via('https://attacker.localhost/', env)).toBe(PROXY);
  });

  it('takes http_proxy for http, https_proxy (or else http_proxy) for https, lower case first', () => {
    expect(via('http://api.example.invalid/', { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(via('https://api.example.invalid/', { HTTP_PROXY: PROXY })).toBe(PROXY);
    expect(via('https://api.example.invalid/', { HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:1' })).toBe('http://b:1');
    expect(via('https://api.example.invalid/', {})).toBeNull();
    expect(via('https://api.example.invalid/', { HTTPS_PROXY: '' })).toBeNull();
  });

  it('reads NO_PROXY as curl does: *, hosts and their subdomains, ports, addresses and CIDR blocks', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'https://anything.invalid/', false],
      ['example.invalid', 'https://example.invalid/', false],
      ['example.invalid', 'https://api.example.invalid/', false],
      ['.example.invalid', 'https://example.invalid/', false],
      ['*.example.invalid', 'https://deep.api.example.invalid/', false],
      ['example.invalid', 'https://notexample.invalid/', true],
      ['EXAMPLE.invalid', 'https://Api.Example.INVALID/', false],
      ['example.invalid:8443', 'https://example.invalid:8443/', false],
      ['example.invalid:8443', 'https://example.invalid/', true],
      ['10.1.2.3', 'https://10.1.2.3/', false],
      ['10.0.0.0/8', 'https://10.200.3.4:9443/', false],
      ['10.0.0.0/8', 'https://11.0.0.1/', true],
      ['192.168.1.0/24:443', 'https://192.168.1.7/', false],
      ['fd00::/8', 'https://[fd12::1]/', false],
      ['[2001:db8::1]:8443', 'https://[2001:db8::1]:8443/', false],
      ['2001:db8::1', 'https://[2001:db8::2]/', true],
      ['a.invalid, b.invalid  c.invalid', 'https://c.invalid/', false],
      ['10.0.0.0/8', 'https://ten.invalid/', true],
    ];
    for (const [noProxy, url, proxied] of cases) expect(via(url, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy }), `${noProxy} ${url}`).toBe(proxied ? PROXY : null);
    expect(via('https://example.invalid/', { HTTPS_PROXY: PROXY, NO_PROXY: 'other.invalid', no_proxy: 'example.invalid' })).toBeNull();
  });
});
