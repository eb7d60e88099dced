/**
 * The per-tenant usage query: a KQL template over the vendor's Insights `Logs` table, and the column
 * mapping beside it (which column names the key, which the time, the caller's address and user
 * agent when the logs have them). The vendor's `Logs` schema is not public: the defaults are the
 * sandbox's names, and a tenant's settings change them.
 *
 * A template may use `{keyName}` (a quoted KQL string: the key's name on the server) and `{since}`
 * (a timespan literal such as 45d). Its result must have the columns `Hour` (the hour, a datetime),
 * `Requests` (a count) and `LastSeen` (a datetime), and, when mapped, the address and user-agent
 * columns under their own names: one row per hour and caller.
 */
import type { UsageColumns } from '../../shared/usage.ts';

/** The sandbox's names, and the default: the vendor's own are not public. */
export const DEFAULT_COLUMN_MAPPING: UsageColumns = { key: 'keyName', time: 'timestamp', address: 'remoteAddress', userAgent: 'userAgent' };

/** A column name a template can use bare. */
export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The template the mapping implies: one row per hour and caller, oldest hour first. */
export function usageTemplate(columns: UsageColumns): string {
  const callers = [columns.address, columns.userAgent].filter((name): name is string => name !== null);
  return (
    `Logs | where ${columns.time} > ago({since}) and ${columns.key} == {keyName} ` +
    `| summarize Requests = count(), LastSeen = max(${columns.time}) by Hour = bin(${columns.time}, 1h)${callers.map((name) => `, ${name}`).join('')} ` +
    '| order by Hour asc'
  );
}

export const DEFAULT_USAGE_QUERY = usageTemplate(DEFAULT_COLUMN_MAPPING);

/** A KQL string literal that reads back as exactly `value`: no quote or backslash in it can end it early. */
export function kqlString(value: string): string {
  return `'${value.replace(/[\\'\n\r\t]/g, (char) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[char]!)}'`;
}

/** A window such as 24h, 7d, 90m, as a KQL timespan literal and milliseconds; null when it is not one. */
export function parseWindow(text: string): { literal: string; ms: number } | null {
  const match = /^(\d{1,4})(d|h|m)$/.exec(text.trim());
  if (!match) return null;
  const count = Number(match[1]);
  const unit = match[2] as 'd' | 'h' | 'm';
  return count > 0 ? { literal: `${count}${unit}`, ms: count * { d: 86_400_000, h: 3_600_000, m: 60_000 }[unit] } : null;
}

/**
 * Fills a usage template's `{keyName}` and `{since}` in one pass, so text inside the key name is
 * never read as a placeholder. `since` must be a timespan literal (`45d`, `24h`, `30m`).
 */
export function renderUsageQuery(template: string, values: { keyName: string; since: string }): string {
  if (!/^\d+(?:d|h|m|s|ms)$/.test(values.since)) throw new RangeError(`'${values.since}' is not a KQL timespan such as 45d, 24h or 30m.`);
  return template.replace(/\{(keyName|since)\}/g, (_match, placeholder: string) => (placeholder === 'keyName' ? kqlString(values.keyName) : values.since));
}

/** What is wrong with a template or mapping a person gave, or null: said so that they can fix it. */
export function usageSettingsProblem(template: string, columns: UsageColumns): string | null {
  for (const [role, name] of Object.entries(columns) as [string, string | null][]) {
    if (name !== null && !COLUMN_NAME.test(name)) return `The ${role} column "${name}" is not a column name KQL reads bare (letters, digits and _, not starting with a digit).`;
  }
  if (!template.includes('{keyName}')) return 'The usage query must name the key with {keyName}: without it, it would count every key’s requests.';
  if (template.length > 4000) return `The usage query is ${template.length} characters long; keep it under 4,000.`;
  return null;
}
