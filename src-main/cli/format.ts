/** Plain-text output helpers for tkv's human-readable mode. */

/** The day of an ISO time, `2026-12-01`; for a time that was not recorded, says so rather than print nothing. */
export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : 'an unrecorded day';
}

/** Left-aligned columns separated by two spaces, with a header row. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `label: value` lines with the labels aligned. */
export function fields(entries: [string, string][]): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value}`).join('\n') + '\n';
}

/** `crm-sync` → `CRM_SYNC`: the stem of the variables tkv exec sets for a key (`CRM_SYNC_API_KEY`). */
export function variableStem(name: string): string {
  const stem = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(stem) || stem === '' ? `KEY_${stem}` : stem;
}
