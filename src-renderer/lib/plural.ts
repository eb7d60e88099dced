/**
 * A count and its noun, agreeing: "1 key", "2 keys", "1,000 keys". English only, as the app is; an
 * irregular plural is given ("entry", "entries").
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}
