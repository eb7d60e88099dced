/**
 * Masks secrets in a stream of bytes (a child's output under `tkv exec`): every occurrence becomes a
 * placeholder, even one split across chunks. Bytes are held back only while they could still be the
 * start of a secret, so a program's output (a prompt, a progress line) shows as soon as it is written.
 */
export const PLACEHOLDER = '<concealed by tkv>';

export class Masker {
  private readonly secrets: Buffer[];
  private readonly placeholder: Buffer;
  private pending = Buffer.alloc(0);

  constructor(secrets: string[], placeholder = PLACEHOLDER) {
    // Longest first: a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets.filter((secret) => secret.length > 0))].map((secret) => Buffer.from(secret, 'utf8')).sort((a, b) => b.length - a.length);
    this.placeholder = Buffer.from(placeholder, 'utf8');
  }

  /** The bytes that can be shown now; some may be held back until the next chunk (or `end`). */
  push(chunk: Buffer): Buffer {
    const data = this.replace(Buffer.concat([this.pending, chunk]));
    const keep = this.heldBack(data);
    this.pending = Buffer.from(data.subarray(data.length - keep));
    return data.subarray(0, data.length - keep);
  }

  /** What is left at the end of the stream. */
  end(): Buffer {
    const rest = this.replace(this.pending);
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private replace(data: Buffer): Buffer {
    let current = data;
    for (const secret of this.secrets) {
      let at = current.indexOf(secret);
      if (at === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at !== -1) {
        parts.push(current.subarray(from, at), this.placeholder);
        from = at + secret.length;
        at = current.indexOf(secret, from);
      }
      parts.push(current.subarray(from));
      current = Buffer.concat(parts);
    }
    return current;
  }

  /** How many trailing bytes could be the beginning of a secret. */
  private heldBack(data: Buffer): number {
    let keep = 0;
    for (const secret of this.secrets) {
      for (let length = Math.min(secret.length - 1, data.length); length > keep; length -= 1) {
        if (data.subarray(data.length - length).equals(secret.subarray(0, length))) {
          keep = length;
          break;
        }
      }
    }
    return keep;
  }
}
