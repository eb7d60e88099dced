/**
 * Which proxy, if any, a request goes through: HTTPS_PROXY / HTTP_PROXY, with NO_PROXY read the way
 * curl reads it. Loopback never goes through a proxy, whatever the variables say: a key sent to the
 * sandbox or a local gateway must not cross a network, in clear text or otherwise.
 *
 * NO_PROXY is a comma- (or space-) separated list; each entry is one of
 *   `*`                   every host
 *   `example.com`         that host and every host under it (a leading `.` or `*.` means the same)
 *   `example.com:8443`    the same, on that port only
 *   `10.1.2.3`, `::1`     that address (IPv6 with or without brackets; `[::1]:8080` with a port)
 *   `10.0.0.0/8`, `fd00::/8`  every address in that block (no name is resolved to match one)
 * Matching is case-insensitive; lower-case variables win over upper-case ones, as in curl.
 */
import net from 'node:net';
import { isLoopbackHost } from '../../shared/rules.ts';

type Env = Record<string, string | undefined>;

export interface ProxySettings {
  httpProxy: string | null;
  httpsProxy: string | null;
  noProxy: NoProxyRule[];
}

type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; domain: string; port: number | null }
  | { kind: 'address'; blocks: net.BlockList; port: number | null };

/** The proxy variables of `env`; empty values count as unset. */
export function proxySettings(env: Env): ProxySettings {
  const pick = (...names: string[]) => names.map((name) => env[name]?.trim()).find((value) => value !== undefined && value !== '') ?? null;
  const httpProxy = pick('http_proxy', 'HTTP_PROXY');
  return {
    httpProxy,
    httpsProxy: pick('https_proxy', 'HTTPS_PROXY') ?? httpProxy,
    noProxy: parseNoProxy(pick('no_proxy', 'NO_PROXY') ?? ''),
  };
}

/** The proxy URL to send a request for `url` through, or null to connect directly. */
export function proxyFor(url: URL, settings: ProxySettings): string | null {
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : url.protocol === 'http:' ? settings.httpProxy : null;
  if (!proxy) return null;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopbackHost(host)) return null;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return settings.noProxy.some((rule) => bypasses(rule, host, port)) ? null : proxy;
}

function bypasses(rule: NoProxyRule, host: string, port: number): boolean {
  if (rule.kind === 'all') return true;
  if (rule.port !== null && rule.port !== port) return false;
  if (rule.kind === 'domain') return host === rule.domain || host.endsWith(`.${rule.domain}`);
  const family = net.isIP(host);
  return family !== 0 && rule.blocks.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Parses a NO_PROXY value; entries it cannot read are ignored, as curl ignores them. */
export function parseNoProxy(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') {
      rules.push({ kind: 'all' });
      continue;
    }
    const { host, port } = splitPort(entry);
    const [address, prefix] = host.split('/') as [string, string | undefined];
    const family = net.isIP(address);
    if (family !== 0) {
      const blocks = new net.BlockList();
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) continue;
      blocks.addSubnet(address, bits, type);
      rules.push({ kind: 'address', blocks, port });
      continue;
    }
    const domain = host.replace(/^\*?\./, '');
    if (domain !== '' && !domain.includes('/')) rules.push({ kind: 'domain', domain, port });
  }
  return rules;
}

/** `host:port`, `[v6]:port`, a bare v6 address (its colons are not a port), or a CIDR block. */
function splitPort(entry: string): { host: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : null };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = entry.split(':') as [string, string];
    if (/^\d+$/.test(port)) return { host, port: Number(port) };
  }
  return { host: entry, port: null };
}
