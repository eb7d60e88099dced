// The one redactor: every form a server may echo a secret in, fragments at a cut, nothing else lost.
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../../src-main/core/redaction/redactor.ts';
import { canaryToken } from '../../../support/files.ts';
import { echoesOf } from '../../../support/hostile.ts';

describe('Redactor', () => {
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
});
