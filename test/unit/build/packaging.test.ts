// The installers' configuration: valid by electron-builder's own schema (packaging itself needs the
// Electron binary, which cannot be downloaded here), with the fuses of Electron's security
// checklist flipped and the native modules outside the asar. Also the one external-link rule.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packList, publisherProblems } from '../../../build/dist.ts';
import { isAllowedExternalUrl } from '../../../src-main/shared/external-links.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const config = parse(fs.readFileSync(`${repo}build/electron-builder.yml`, 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  mac: { target: string };
  win: { target: string };
  asarUnpack: string[];
  icon: string;
};

function validator() {
  const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('build/electron-builder.yml', () => {
  it('is valid by electron-builder’s own schema, which refuses what it does not know', () => {
    const validate = validator();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } })).toBe(false);
    expect(validate({ ...config, mac: { ...config.mac, hardenedRuntime: 'yes' } })).toBe(false);
    expect(validate({ ...config, fuses: {} })).toBe(false);
    // electron-builder's own check, which `npm run dist` runs first, agrees.
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(config: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    return expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('flips the fuses: no Node mode, no NODE_OPTIONS, no --inspect, only its own integrity-checked asar, encrypted cookies', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it('builds AppImage and deb, dmg, nsis, rebuilding nothing (Node-API modules), with the native modules unpacked from the asar', () => {
    expect(config).toMatchObject({ appId: expect.stringMatching(/^[a-z0-9.-]+$/), productName: 'Tenant Key Vault', asar: true, npmRebuild: false });
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect([config.mac.target, config.win.target]).toEqual(['dmg', 'nsis']);
    expect(config.asarUnpack).toContain('**/*.node');
    for (const module of ['keytar', 'better-sqlite3']) expect(config.asarUnpack).toContain(`**/node_modules/${module}/**`);
    const pkg = JSON.parse(fs.readFileSync(`${repo}package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toBe('node build/dist.ts');
  });

  it('names no placeholder publisher; npm run dist asks for the real one before downloading anything', () => {
    expect(fs.readFileSync(`${repo}build/electron-builder.yml`, 'utf8')).not.toMatch(/\.invalid|example\.com|maintainer:/);
    expect(publisherProblems({})).toEqual([expect.stringMatching(/"author" is not set/), expect.stringMatching(/"homepage" is not set/)]);
    expect(publisherProblems({ author: 'Ops team', homepage: 'https://vault.acme.example/' })).toEqual([expect.stringMatching(/no email/), expect.stringMatching(/placeholder/)]);
    expect(publisherProblems({ author: 'Ops team <ops@acme.io>', homepage: 'https://acme.io/vault' })).toEqual([]);
  });

  it('packs the built app and the production dependencies only, with every native binary unpacked', () => {
    const { files, modules, unpacked } = packList();
    for (const file of ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html', 'package.json']) expect(files).toContain(file);
    expect(files.filter((file) => !file.startsWith('out/') && file !== 'package.json')).toEqual([]);
    for (const module of ['better-sqlite3', 'keytar', 'undici', 'zod', 'yaml', 'csv-parse']) expect(modules).toContain(`node_modules/${module}`);
    for (const devOnly of ['electron', 'electron-builder', 'vite', 'svelte', 'vitest', 'playwright', 'fast-check']) expect(modules).not.toContain(`node_modules/${devOnly}`);
    expect(unpacked).toEqual(expect.arrayContaining(['node_modules/keytar/build/Release/keytar.node', `node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`]));
  });

  it('takes its icon from src-renderer/public/icon.svg, rendered at 1024×1024', () => {
    const png = fs.readFileSync(`${repo}${config.icon}`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
    // Regenerate with `npm run icons` after editing the SVG.
    const svg = fs.readFileSync(`${repo}src-renderer/public/icon.svg`);
    expect(fs.readFileSync(`${repo}build/icons/SOURCE`, 'utf8').split(' ')[0]).toBe(createHash('sha256').update(svg).digest('hex'));
  });
});

describe('external links', () => {
  it('opens only https documentation pages of the allowlisted hosts', () => {
    expect(isAllowedExternalUrl('https://docs.thewalletcrew.io/api/apikeys')).toBe(true);
    for (const url of ['http://docs.thewalletcrew.io/', 'https://docs.thewalletcrew.io.evil.invalid/', 'https://user:pw@docs.thewalletcrew.io/', 'https://docs.thewalletcrew.io:8443/', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'https://evil.invalid/']) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});
