/** Small helpers for words a person reads, shared by every front door. Runs anywhere. */

/** `1 key`, `2 keys`, `0 keys`; `count(1, 'entry', 'entries')`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
