// The one redactor: every form a server may echo a secret in, fragments at a cut, nothing else lost.
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../../src-main/core/redaction/redactor.ts';
import { canaryToken } from '../../../support/files.ts';
import { htmlNumeric, jsonEveryChar, percentEveryByte, revealsSecret, wrapLines } from '../../../support/escapes.ts';
import { echoesOf } from '../../../support/hostile.ts';

describe('Redactor', () => {
  it('conceals the last character of a base64 value too: it carries bits of the key’s last byte', () => {
    // 64 characters of key: its base64 ends with one character holding its last byte's low 2 bits, then `==`.
    for (let round = 0; round < 8; round += 1) {
      const secret = canaryToken();
      expect(Buffer.byteLength(secret) % 3, 'a key whose base64 ends mid-group').not.toBe(0);
      const encoded = Buffer.from(secret).toString('base64');
      const redactor = new Redactor([secret]);
      // As `printf %s "$KEY" | base64` writes it: the padding alone is left, and it says nothing of the key.
      expect(redactor.redactName(encoded)).toBe(`${REDACTED}${encoded.slice(encoded.indexOf('='))}`);
      // Wrapped at 76 columns as the `base64` tool does: the last line's characters carry the same bits.
      expect(redactor.redactName(`${wrapLines(encoded, 76)}\n`)).toBe(`${REDACTED}${encoded.slice(encoded.indexOf('='))}\n`);
    }
  });

  it('removes a secret in every form a server may echo it, and any cut or split fragment of 12+ characters', () => {
    // A key with characters that every encoding treats differently.
    for (const secret of [canaryToken(), `${canaryToken().slice(0, 30)}"/+= é${canaryToken().slice(0, 20)}`]) {
      const redactor = new Redactor([secret]);
      for (const [form, echoed] of Object.entries(echoesOf(secret))) {
        const text = redactor.redactText(`before ${echoed} after`);
        expect(text, form).toContain(REDACTED);
        for (const piece of [secret.slice(0, 12), secret.slice(-12), secret.slice(20, 32)]) expect(text, form).not.toContain(piece);
      }
    }
  });

  it('knows every secret it is given, and forks with more', () => {
    const [admin, created] = [canaryToken(), canaryToken()];
    const base = new Redactor([admin]);
    const more = base.with(created);
    expect(more.redactName(`${admin}|${created}`)).toBe(`${REDACTED}|${REDACTED}`);
    expect(base.redactName(created)).toBe(created);
  });

  it('keeps what is not secret: trace ids, UUIDs, names, and text around a secret', () => {
    const redactor = new Redactor([canaryToken()]);
    const traceId = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    expect(redactor.redactText(`{"traceId":"${traceId}"}`)).toContain(traceId);
    expect(redactor.redactText('request 3f2b1c9e-8f0a-4e1b-9c1d-2b3c4d5e6f70 failed')).toContain('3f2b1c9e-8f0a-4e1b-9c1d-2b3c4d5e6f70');
    expect(redactor.redactName('crm-sync-integration-production-2026-11-22')).toBe('crm-sync-integration-production-2026-11-22');
    // Free text also loses what merely looks like a secret.
    expect(redactor.redactText('{"signingSecret":"abc"} and zQ8xL2vN7bK4mR9tW1yE6uI3oP5aS0dF')).toBe(`{"signingSecret":"${REDACTED}"} and ${REDACTED}`);
  });

  it('redacts JSON values, keys included, keeping their shape', () => {
    const secret = canaryToken();
    expect(new Redactor([secret]).redactValue({ name: secret, permissions: ['Pass.Read', `x${secret}`], [secret]: 1, enabled: true })).toEqual({
      name: REDACTED,
      permissions: ['Pass.Read', `x${REDACTED}`],
      [REDACTED]: 1,
      enabled: true,
    });
  });

  it('undoes per-character escapes and line wrapping before it looks: every byte percent-escaped, \\u, HTML references, wrapped base64, hex in any case', () => {
    const secret = `${canaryToken().slice(0, 40)}+/= é"&<€`;
    const bytes = Buffer.from(secret);
    const mixed = [...secret].map((char, index) => (index % 2 ? char : percentEveryByte(char))).join('');
    const echoes = {
      percentEveryByte: percentEveryByte(secret),
      percentEveryByteUpper: percentEveryByte(secret, true),
      percentMixed: mixed.replace(/&/g, '%26'),
      jsonEveryChar: jsonEveryChar(secret),
      jsonEveryCharUpper: jsonEveryChar(secret, true),
      jsonMixed: [...secret].map((char, index) => (index % 3 === 0 ? jsonEveryChar(char) : JSON.stringify(char).slice(1, -1))).join(''),
      htmlDecimal: htmlNumeric(secret),
      htmlHex: htmlNumeric(secret, 'hex'),
      htmlHexUpper: htmlNumeric(secret, 'HEX'),
      htmlNamed: secret.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;'),
      base64Wrapped76: wrapLines(Buffer.from(`svc:${secret}`).toString('base64'), 76),
      base64Wrapped64Crlf: wrapLines(Buffer.concat([Buffer.from([1, 2]), bytes]).toString('base64'), 64, '\r\n'),
      base64Wrapped76Json: JSON.stringify(wrapLines(bytes.toString('base64'), 76)).slice(1, -1),
      hexMixedCase: [...bytes.toString('hex')].map((char, index) => (index % 3 ? char.toUpperCase() : char)).join(''),
    };
    const redactor = new Redactor([secret]);
    for (const [form, echoed] of Object.entries(echoes)) {
      for (const text of [redactor.redactName(`before ${echoed} after`), redactor.redactText(`before ${echoed} after`), JSON.stringify(redactor.redactValue({ [echoed]: [echoed] }))]) {
        expect(text, form).toContain(REDACTED);
        expect(revealsSecret(text, secret, 8), `${form}: ${text}`).toBe(false);
      }
    }
  });

  it('finds a secret that holds what looks like a percent escape, and leaves ordinary escapes alone', () => {
    const secret = `${canaryToken().slice(0, 20)}%ab%2F`;
    expect(new Redactor([secret]).redactName(`x ${secret} y`)).toBe(`x ${REDACTED} y`);
    const redactor = new Redactor([canaryToken()]);
    const ordinary = 'a%20b &amp; c &#233; \\u00e9 \\n 50% off & more\nZm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4\nZm9v';
    expect(redactor.redactName(ordinary)).toBe(ordinary);
  });

  it('removes in free text a long token it does not know when escapes hide it, and keeps a trace id so written', () => {
    // Another operation's key, echoed by a server that saw it, with every character escaped.
    const other = canaryToken();
    const redactor = new Redactor([canaryToken()]);
    for (const echoed of [percentEveryByte(other), jsonEveryChar(other), htmlNumeric(other), htmlNumeric(other, 'hex')]) {
      const text = redactor.redactText(`{"detail":"refused ${echoed} here"}`);
      expect(text).toBe(`{"detail":"refused ${REDACTED} here"}`);
      // A name keeps it: only free text loses what merely looks like a secret.
      expect(redactor.redactName(echoed)).toBe(echoed);
    }
    const traceId = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    expect(redactor.redactText(`trace ${htmlNumeric(traceId)} and a%20b`)).toBe(`trace ${htmlNumeric(traceId)} and a%20b`);
  });
});
