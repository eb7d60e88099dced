/**
 * Scope names against a catalogue: which ones it does not know, and the known one a typo most
 * likely meant (`Pass.Raed` → `Pass.Read`). The catalogue itself is the vendor's (core/vendors);
 * these helpers run anywhere, so the app's forms flag a scope as it is typed. Runs anywhere.
 */

/** One area of a vendor's scope catalogue, with the scopes it covers. */
export interface ScopeArea {
  code: string;
  category: string;
  description: string;
  scopes: { code: string; description: string }[];
}

/** The known scope nearest to `scope` (case-insensitive edit distance), when close enough to be a typo of it. */
export function closestScope(scope: string, known: readonly string[]): string | null {
  let best: { code: string; distance: number } | null = null;
  for (const code of known) {
    const distance = editDistance(scope.toLowerCase(), code.toLowerCase());
    if (best === null || distance < best.distance) best = { code, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(scope.length / 4)) ? best.code : null;
}

/** A sentence per scope the catalogue does not know, naming the closest known one when there is one. */
export function unknownScopes(scopes: readonly string[], known: readonly string[]): string[] {
  return scopes
    .filter((scope) => scope !== '*' && !known.includes(scope))
    .map((scope) => {
      const closest = closestScope(scope, known);
      return `${scope} is not a scope The Wallet Crew is known to have${closest ? `; did you mean ${closest}?` : ' (scopes are case-sensitive).'}`;
    });
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
