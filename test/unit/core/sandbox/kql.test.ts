// The sandbox's KQL subset: each operator and function against a small Logs fixture with
// hand-computed rows, the product's default usage template, every kind of refusal, the bounds, and
// the escaping that keeps a key name from breaking out of its string literal.
import { describe, expect, it } from 'vitest';
import {
  KqlError,
  LOGS_SCHEMA,
  type KqlValue,
  type LogsRow,
  MAX_QUERY_LENGTH,
  kqlProblem,
  runKql,
} from '../../../../src-main/core/sandbox/kql.ts';
import { DEFAULT_COLUMN_MAPPING, DEFAULT_USAGE_QUERY, kqlString, renderUsageQuery } from '../../../../src-main/core/usage/usage-query.ts';

const NOW = new Date('2026-12-01T12:00:00Z'); // a Tuesday
const log = (timestamp: string, keyName: string, method: string, path: string, status: number, remoteAddress: string, userAgent: string): LogsRow => ({
  timestamp: new Date(timestamp), keyName, method, path, status, remoteAddress, userAgent,
});
// Timestamps are unique, so `which` can name rows by their index here.
const LOGS: LogsRow[] = [
  /* 0 */ log('2026-12-01T09:05:00Z', 'probe-key', 'GET', '/api/demo/admin/config', 200, '10.0.0.1', 'tkv/1.0 (linux)'),
  /* 1 */ log('2026-12-01T09:40:00Z', 'probe-key', 'GET', '/api/demo/passes', 403, '10.0.0.1', 'tkv/1.0 (linux)'),
  /* 2 */ log('2026-12-01T10:15:00Z', 'probe-key', 'GET', '/api/demo/admin/config', 200, '10.0.0.2', 'curl/8.5.0'),
  /* 3 */ log('2026-12-01T10:59:59Z', 'probe-key', 'GET', '/api/demo/admin/apiKeys/probe-key', 200, '10.0.0.1', 'tkv/1.0 (linux)'),
  /* 4 */ log('2026-12-01T11:30:00Z', 'Probe-Key', 'POST', '/api/demo/insights/query', 200, '10.0.0.3', 'Mozilla/5.0 Electron/33'),
  /* 5 */ log('2026-11-29T08:00:00Z', 'admin-key', 'DELETE', '/api/demo/admin/apiKeys/old', 204, '192.168.1.7', 'tkv/1.0 (darwin)'),
  /* 6 */ log('2026-11-30T23:59:00Z', 'admin-key', 'GET', '/api/demo/admin/apiKeys', 401, '192.168.1.7', ''),
  /* 7 */ log('2026-10-01T00:00:00Z', 'probe-key', 'GET', '/api/demo/admin/config', 200, '10.0.0.1', 'tkv/0.9'),
];
const TABLES = { Logs: LOGS };
const ISO = LOGS.map((row) => row.timestamp.toISOString().replace('.000Z', 'Z'));

const run = (query: string, tables: Record<string, readonly Record<string, KqlValue>[]> = TABLES) => runKql(query, tables, NOW).tables[0]!;
const rows = (query: string, tables?: Record<string, readonly Record<string, KqlValue>[]>) => run(query, tables).rows;
const which = (predicate: string) => rows(`Logs | where ${predicate} | project timestamp`).map(([time]) => ISO.indexOf(time as string));
const refusal = (query: string, tables: Record<string, readonly Record<string, KqlValue>[]> = TABLES): KqlError => {
  try {
    runKql(query, tables, NOW);
  } catch (error) {
    if (error instanceof KqlError) return error;
    throw error;
  }
  throw new Error(`expected a KqlError for: ${query}`);
};

describe('tables and result shape', () => {
  it('returns a bare table with its inferred column types and ISO datetimes, in the query-API shape', () => {
    const result = runKql('Logs | take 1', TABLES, NOW);
    expect(result).toEqual({
      tables: [{
        name: 'PrimaryResult',
        columns: [...LOGS_SCHEMA],
        rows: [['2026-12-01T09:05:00Z', 'probe-key', 'GET', '/api/demo/admin/config', 200, '10.0.0.1', 'tkv/1.0 (linux)']],
      }],
    });
  });

  it('keeps milliseconds when a datetime has them, and reads real, bool and null cells', () => {
    const t = [{ at: new Date('2026-12-01T09:05:00.123Z'), ratio: 0.5, ok: true, note: null }, { at: null, ratio: 2, ok: null, note: 'x' }];
    const result = run('T', { T: t });
    expect(result.columns).toEqual([{ name: 'at', type: 'datetime' }, { name: 'ratio', type: 'real' }, { name: 'ok', type: 'bool' }, { name: 'note', type: 'string' }]);
    // A null string reads as '' (Kusto strings are never null); other types keep null.
    expect(result.rows).toEqual([['2026-12-01T09:05:00.123Z', 0.5, true, ''], [null, 2, null, 'x']]);
  });

  it('refuses a table whose values do not match its column type as the caller\'s bug (TypeError, not a 400)', () => {
    expect(() => runKql('T', { T: [{ n: 1 }, { n: 'one' }] }, NOW)).toThrow(TypeError);
    expect(() => runKql('T', { T: [{ n: 'one' }] }, NOW, { schemas: { T: [{ name: 'n', type: 'long' }] } })).toThrow(/column 'n' is long but holds a string/);
  });
});

describe('where', () => {
  it('compares with ==, !=, <, <=, >, >= on longs, reals and negative numbers', () => {
    expect(which('status == 200')).toEqual([0, 2, 3, 4, 7]);
    expect(which('status != 200')).toEqual([1, 5, 6]);
    expect(which('status < 204')).toEqual([0, 2, 3, 4, 7]);
    expect(which('status <= 204')).toEqual([0, 2, 3, 4, 5, 7]);
    expect(which('status > 204')).toEqual([1, 6]);
    expect(which('status >= 401')).toEqual([1, 6]);
    expect(which('status > 200.5')).toEqual([1, 5, 6]);
    expect(which('status > -1')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('compares strings case-sensitively and ordinally with == and <, case-insensitively with =~ and !~', () => {
    expect(which("keyName == 'probe-key'")).toEqual([0, 1, 2, 3, 7]);
    expect(which('keyName == "Probe-Key"')).toEqual([4]);
    expect(which("keyName =~ 'PROBE-KEY'")).toEqual([0, 1, 2, 3, 4, 7]);
    expect(which("keyName !~ 'probe-KEY'")).toEqual([5, 6]);
    // Ordinal: 'P' (0x50) sorts before 'a' and 'b', 'p' after them.
    expect(which("keyName < 'b'")).toEqual([4, 5, 6]);
  });

  it('compares datetimes with datetime(...) in its usual spellings', () => {
    expect(which('timestamp >= datetime(2026-12-01)')).toEqual([0, 1, 2, 3, 4]);
    expect(which('timestamp < datetime(2026-11-30T23:59:00Z)')).toEqual([5, 7]);
    expect(which('timestamp == datetime(2026-12-01 10:59:59)')).toEqual([3]);
    expect(which('timestamp == datetime(2026-12-01T11:59:59+01:00)')).toEqual([3]);
    expect(which("timestamp == datetime('2026-10-01T00:00:00.0000000Z')")).toEqual([7]);
  });

  it('gives and precedence over or, and honours not() and parentheses', () => {
    expect(which("keyName == 'admin-key' or status == 403 and method == 'POST'")).toEqual([5, 6]);
    expect(which("(keyName == 'admin-key' or status == 403) and method == 'GET'")).toEqual([1, 6]);
    expect(which('not(status == 200)')).toEqual([1, 5, 6]);
    expect(which("not(keyName == 'probe-key') and not(keyName == 'admin-key')")).toEqual([4]);
    expect(which('true and not(false)')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('matches whole terms with has, substrings with contains, prefixes and suffixes — all case-insensitive', () => {
    expect(which("userAgent has 'linux'")).toEqual([0, 1, 3]);
    expect(which("userAgent has 'LINUX'")).toEqual([0, 1, 3]);
    expect(which("userAgent has 'lin'")).toEqual([]); // not a whole term
    expect(which("userAgent contains 'lin'")).toEqual([0, 1, 3]);
    expect(which("userAgent has 'tkv/1.0'")).toEqual([0, 1, 3, 5]);
    expect(which("userAgent has 'electron'")).toEqual([4]);
    expect(which("path has 'apikeys'")).toEqual([3, 5, 6]);
    expect(which("path startswith '/API/demo/admin'")).toEqual([0, 2, 3, 5, 6, 7]);
    expect(which("path endswith 'CONFIG'")).toEqual([0, 2, 7]);
  });

  it('has _cs variants that respect case and ! variants that negate', () => {
    expect(which("userAgent has_cs 'LINUX'")).toEqual([]);
    expect(which("path contains_cs 'apikeys'")).toEqual([]);
    expect(which("path contains_cs 'apiKeys'")).toEqual([3, 5, 6]);
    expect(which("path startswith_cs '/API'")).toEqual([]);
    expect(which("path !startswith '/api/demo/admin'")).toEqual([1, 4]);
    expect(which("userAgent !has 'tkv'")).toEqual([2, 4, 6]);
    expect(which("keyName !contains_cs 'Key'")).toEqual([0, 1, 2, 3, 5, 6, 7]);
    expect(which("path !endswith_cs 'config'")).toEqual([1, 3, 4, 5, 6]);
  });

  it('tests membership with in, !in (case-sensitive) and in~, !in~ (case-insensitive)', () => {
    expect(which('status in (401, 403)')).toEqual([1, 6]);
    expect(which("keyName in ('PROBE-KEY', 'admin-key')")).toEqual([5, 6]);
    expect(which("keyName in~ ('PROBE-KEY')")).toEqual([0, 1, 2, 3, 4, 7]);
    expect(which("method !in ('GET', 'POST')")).toEqual([5]);
    expect(which("keyName !in~ ('probe-key', 'ADMIN-KEY')")).toEqual([]);
  });

  it('measures time back from the caller\'s now with ago() in d, h, m, s and ms, and now()', () => {
    expect(which('timestamp > ago(24h)')).toEqual([0, 1, 2, 3, 4, 6]);
    expect(which('timestamp > ago(2d)')).toEqual([0, 1, 2, 3, 4, 6]);
    expect(which('timestamp > ago(7d)')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(which('timestamp > ago(30m)')).toEqual([]); // row 4 is exactly 30 minutes old
    expect(which('timestamp >= ago(30m)')).toEqual([4]);
    expect(which('timestamp > ago(5400s)')).toEqual([3, 4]);
    expect(which('timestamp > ago(1800001ms)')).toEqual([4]);
    expect(which('timestamp > ago(1.5h)')).toEqual([3, 4]);
    expect(which('timestamp <= now()')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(which('timestamp > ago(-1h)')).toEqual([]);
  });

  it('reads isempty/isnotempty on strings, isnull/isnotnull on other types, with null in three-valued logic', () => {
    expect(which('isnotempty(userAgent)')).toEqual([0, 1, 2, 3, 4, 5, 7]);
    expect(which('isempty(userAgent)')).toEqual([6]);
    expect(which('isnull(userAgent)')).toEqual([]); // a Kusto string is never null
    const t = { T: [{ n: 1, s: 'a' }, { n: null, s: null }] };
    const ns = (predicate: string) => rows(`T | where ${predicate} | project s`, t).map(([s]) => s);
    expect(ns('isnull(n)')).toEqual(['']);
    expect(ns('isnotnull(n)')).toEqual(['a']);
    expect(ns('isempty(n)')).toEqual(['']);
    expect(ns('isempty(s)')).toEqual(['']);
    expect(ns('n > 0')).toEqual(['a']);
    expect(ns('not(n > 0)')).toEqual([]); // not(null) is null, which where drops
    expect(ns("n > 0 or s == ''")).toEqual(['a', '']); // null or true is true
    expect(ns("n > 0 and s == ''")).toEqual([]); // null and true is null
    expect(ns('n != 1')).toEqual([]);
  });
});

describe('summarize', () => {
  it('counts all rows into count_, and keeps one row of zero for no input', () => {
    expect(run('Logs | summarize count()')).toEqual({ name: 'PrimaryResult', columns: [{ name: 'count_', type: 'long' }], rows: [[8]] });
    expect(rows("Logs | where status == 999 | summarize count(), max(timestamp), dcount(keyName), max(keyName)")).toEqual([[0, null, 0, '']]);
    expect(rows('Logs | where status == 999 | summarize count() by keyName')).toEqual([]);
  });

  it('groups by columns, with default names max_<col>, min_<col>, dcount_<col> and the argument\'s type', () => {
    const result = run('Logs | summarize max(timestamp), min(status), dcount(remoteAddress) by keyName');
    expect(result.columns).toEqual([
      { name: 'keyName', type: 'string' }, { name: 'max_timestamp', type: 'datetime' }, { name: 'min_status', type: 'long' }, { name: 'dcount_remoteAddress', type: 'long' },
    ]);
    expect(result.rows).toEqual([
      ['probe-key', '2026-12-01T10:59:59Z', 200, 2],
      ['Probe-Key', '2026-12-01T11:30:00Z', 200, 1],
      ['admin-key', '2026-11-30T23:59:00Z', 204, 1],
    ]);
  });

  it('names aggregates when told to, numbers colliding default names, and groups with no aggregate', () => {
    expect(run('Logs | summarize Requests = count(), LastSeen = max(timestamp)').rows).toEqual([[8, '2026-12-01T11:30:00Z']]);
    expect(run('Logs | summarize count(), count()').columns.map((c) => c.name)).toEqual(['count_', 'count_1']);
    expect(rows('Logs | summarize by keyName')).toEqual([['probe-key'], ['Probe-Key'], ['admin-key']]);
    expect(rows('Logs | summarize Oldest = min(keyName), Newest = max(keyName)')).toEqual([['Probe-Key', 'probe-key']]);
  });

  it('bins datetimes by the hour and the day, keeping the column\'s name unless renamed', () => {
    const hourly = run("Logs | where keyName == 'probe-key' | summarize count() by bin(timestamp, 1h)");
    expect(hourly.columns).toEqual([{ name: 'timestamp', type: 'datetime' }, { name: 'count_', type: 'long' }]);
    expect(hourly.rows).toEqual([['2026-12-01T09:00:00Z', 2], ['2026-12-01T10:00:00Z', 2], ['2026-10-01T00:00:00Z', 1]]);
    expect(rows('Logs | summarize count() by Day = bin(timestamp, 1d)')).toEqual([
      ['2026-12-01T00:00:00Z', 5], ['2026-11-29T00:00:00Z', 1], ['2026-11-30T00:00:00Z', 1], ['2026-10-01T00:00:00Z', 1],
    ]);
  });

  it('bins 7d from 0001-01-01 as Kusto does, so weeks start on Monday (from 1970 they would start on Thursday)', () => {
    // Row 5 is Sunday 2026-11-29, row 6 Monday 2026-11-30: different weeks.
    expect(rows("Logs | where keyName == 'admin-key' | summarize count() by Week = bin(timestamp, 7d)")).toEqual([
      ['2026-11-23T00:00:00Z', 1], ['2026-11-30T00:00:00Z', 1],
    ]);
  });

  it('bins numbers, and names an unnamed group expression Column1', () => {
    const result = run('Logs | summarize count() by bin(status, 100)');
    expect(result.columns).toEqual([{ name: 'status', type: 'long' }, { name: 'count_', type: 'long' }]);
    expect(result.rows).toEqual([[200, 6], [400, 2]]);
    expect(run('Logs | summarize count() by isnotempty(userAgent)')).toMatchObject({ columns: [{ name: 'Column1', type: 'bool' }, { name: 'count_' }], rows: [[true, 7], [false, 1]] });
  });

  it('replaces the columns, so later operators see only the summary', () => {
    expect(rows('Logs | summarize Requests = count() by keyName | where Requests > 1 | order by Requests desc')).toEqual([['probe-key', 5], ['admin-key', 2]]);
    expect(refusal('Logs | summarize count() by keyName | where status == 200').message).toBe("Semantic error: 'where' operator: Failed to resolve scalar expression named 'status'");
  });
});

describe('order by, sort by, take, limit, project', () => {
  const times = (query: string) => rows(query).map(([time]) => ISO.indexOf(time as string));

  it('sorts descending unless told asc, on several keys, with sort as a synonym', () => {
    expect(times("Logs | where keyName == 'admin-key' | order by timestamp | project timestamp")).toEqual([6, 5]);
    expect(times("Logs | where keyName == 'admin-key' | order by timestamp asc | project timestamp")).toEqual([5, 6]);
    expect(rows('Logs | order by keyName asc, timestamp desc | project keyName, timestamp').map(([, time]) => ISO.indexOf(time as string))).toEqual([4, 6, 5, 3, 2, 1, 0, 7]);
    expect(times('Logs | sort by status asc, timestamp asc | project timestamp')).toEqual([7, 0, 2, 3, 4, 5, 6, 1]);
  });

  it('puts nulls last when descending and first when ascending, unless told otherwise', () => {
    const t = { T: [{ n: 2 }, { n: null }, { n: 1 }] };
    const ns = (order: string) => rows(`T | order by n ${order}`, t).map(([n]) => n);
    expect(ns('')).toEqual([2, 1, null]);
    expect(ns('asc')).toEqual([null, 1, 2]);
    expect(ns('asc nulls last')).toEqual([1, 2, null]);
    expect(ns('desc nulls first')).toEqual([null, 2, 1]);
  });

  it('takes the first N rows with take or limit', () => {
    expect(times('Logs | order by timestamp asc | take 2 | project timestamp')).toEqual([7, 5]);
    expect(rows('Logs | limit 0')).toEqual([]);
    expect(rows('Logs | take 100')).toHaveLength(8);
  });

  it('projects columns in the order given, renamed with Name = column', () => {
    const result = run('Logs | where status == 403 | project path, Code = status, When = timestamp');
    expect(result.columns).toEqual([{ name: 'path', type: 'string' }, { name: 'Code', type: 'long' }, { name: 'When', type: 'datetime' }]);
    expect(result.rows).toEqual([['/api/demo/passes', 403, '2026-12-01T09:40:00Z']]);
    expect(run("Logs | take 1 | project keyName == 'probe-key'").columns).toEqual([{ name: 'Column1', type: 'bool' }]);
  });

  it('reads comments and line breaks between operators', () => {
    expect(rows("Logs // every request\n| where status == 403 // refused\n| project path")).toEqual([['/api/demo/passes']]);
  });
});

describe('the default usage template', () => {
  it('is the documented query, reading the columns DEFAULT_COLUMN_MAPPING names from the Logs schema', () => {
    expect(DEFAULT_USAGE_QUERY).toBe(
      'Logs | where timestamp > ago({since}) and keyName == {keyName} | summarize Requests = count(), LastSeen = max(timestamp) by Hour = bin(timestamp, 1h), remoteAddress, userAgent | order by Hour asc',
    );
    const types = Object.fromEntries(LOGS_SCHEMA.map((column) => [column.name, column.type]));
    expect(Object.values(DEFAULT_COLUMN_MAPPING).map((name) => types[name ?? ''])).toEqual(['string', 'datetime', 'string', 'string']);
  });

  it('gives one row per hour, address and user agent with its count and last use, oldest hour first', () => {
    const result = run(renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'probe-key', since: '7d' }));
    expect(result.columns).toEqual([
      { name: 'Hour', type: 'datetime' }, { name: 'remoteAddress', type: 'string' }, { name: 'userAgent', type: 'string' },
      { name: 'Requests', type: 'long' }, { name: 'LastSeen', type: 'datetime' },
    ]);
    // Row 4 is another key (names compare case-sensitively); row 7 is older than 7 days.
    expect(result.rows).toEqual([
      ['2026-12-01T09:00:00Z', '10.0.0.1', 'tkv/1.0 (linux)', 2, '2026-12-01T09:40:00Z'],
      ['2026-12-01T10:00:00Z', '10.0.0.2', 'curl/8.5.0', 1, '2026-12-01T10:15:00Z'],
      ['2026-12-01T10:00:00Z', '10.0.0.1', 'tkv/1.0 (linux)', 1, '2026-12-01T10:59:59Z'],
    ]);
    expect(rows(renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'Probe-Key', since: '45d' }))).toEqual([
      ['2026-12-01T11:00:00Z', '10.0.0.3', 'Mozilla/5.0 Electron/33', 1, '2026-12-01T11:30:00Z'],
    ]);
  });

  it('agrees with hourly counts computed independently over three days of generated traffic', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const logs = Array.from({ length: 600 }, () => log(
      new Date(NOW.getTime() - random(3 * 86_400_000)).toISOString(), ['alpha', 'beta'][random(2)]!, 'GET', '/api/demo/admin/config', 200,
      ['10.0.0.1', '10.0.0.2'][random(2)]!, ['tkv/1.0', 'curl/8'][random(2)]!,
    ));
    const expected = new Map<string, [string, string, string, number, number]>();
    for (const entry of logs.filter((row) => row.keyName === 'alpha' && row.timestamp.getTime() > NOW.getTime() - 2 * 86_400_000)) {
      const hour = new Date(entry.timestamp);
      hour.setUTCMinutes(0, 0, 0);
      const id = `${hour.toISOString()} ${entry.remoteAddress} ${entry.userAgent}`;
      const [, , , count = 0, last = 0] = expected.get(id) ?? [];
      expected.set(id, [hour.toISOString().replace('.000Z', 'Z'), entry.remoteAddress, entry.userAgent, count + 1, Math.max(last, entry.timestamp.getTime())]);
    }
    const want = [...expected.values()].map(([h, a, u, n, last]) => [h, a, u, n, new Date(last).toISOString().replace('.000Z', 'Z')]);
    const got = rows(renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'alpha', since: '2d' }), { Logs: logs });
    const byKey = (a: unknown[], b: unknown[]) => String(a.slice(0, 3)).localeCompare(String(b.slice(0, 3)));
    expect(got.length).toBeGreaterThan(40);
    expect([...got].sort(byKey)).toEqual(want.sort(byKey));
    expect(got.map(([hour]) => hour)).toEqual([...got.map(([hour]) => hour)].sort()); // oldest hour first
  });

  it('runs on an empty Logs table when given LOGS_SCHEMA (without it, an empty table has no columns)', () => {
    const query = renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'probe-key', since: '45d' });
    expect(runKql(query, { Logs: [] }, NOW, { schemas: { Logs: LOGS_SCHEMA } }).tables[0]!.rows).toEqual([]);
    expect(refusal(query, { Logs: [] }).message).toBe("Semantic error: 'where' operator: Failed to resolve scalar expression named 'timestamp'");
  });
});

describe('escaping a key name into a template', () => {
  const INJECTION = "x' or 1==1 or keyName=='";

  it('kqlString escapes quotes and backslashes so the literal cannot end early', () => {
    expect(kqlString(INJECTION)).toBe("'x\\' or 1==1 or keyName==\\''");
    expect(kqlString('a\\')).toBe("'a\\\\'");
  });

  it('the injected name matches nothing, where naive quoting would have returned every row', () => {
    expect(rows(renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: INJECTION, since: '7d' }))).toEqual([]);
    // The control: pasting the name between quotes lets it rewrite the predicate.
    const naive = DEFAULT_USAGE_QUERY.replace('{keyName}', `'${INJECTION}'`).replace('{since}', '7d');
    expect(rows(naive).length).toBeGreaterThan(0);
  });

  it('reads back exactly the value it was given, for every awkward string', () => {
    const values = [INJECTION, 'back\\slash\\', "\\' or true //", 'line\nbreak', 'tab\tcr\r', '"double" \'single\'', 'ünïcödé ✓ 𝄞', '', '{since}'];
    const table = { T: values.map((s) => ({ s })) };
    for (const value of values) expect(rows(`T | where s == ${kqlString(value)}`, table), JSON.stringify(value)).toEqual([[value]]);
  });

  it('fills placeholders in one pass, so a key name that looks like one stays text, and refuses a non-timespan since', () => {
    expect(renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: '{since}', since: '24h' })).toContain("keyName == '{since}'");
    expect(renderUsageQuery('x {keyName} {keyName}', { keyName: "$&'", since: '1h' })).toBe("x '$&\\'' '$&\\''");
    expect(() => renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'k', since: '7d) or true or (1h' })).toThrow(RangeError);
    expect(() => renderUsageQuery(DEFAULT_USAGE_QUERY, { keyName: 'k', since: '' })).toThrow(RangeError);
  });
});

describe('refusals', () => {
  it('names an unknown table as Kusto does, including names only the prototype knows', () => {
    for (const name of ['Foo', 'logs', 'constructor', '__proto__']) {
      const error = refusal(`${name} | take 1`);
      expect(error.kind).toBe('semantic');
      expect(error.message).toBe(`Semantic error: '${name}' operator: Failed to resolve table or column expression named '${name}'`);
    }
  });

  it('names an unknown column with the operator it appears in', () => {
    const cases: [string, string][] = [
      ['Logs | where foo == 1', 'where'],
      ['Logs | project keyName, foo', 'project'],
      ['Logs | summarize count() by foo', 'summarize'],
      ['Logs | summarize max(foo)', 'summarize'],
      ['Logs | order by foo', 'order'],
      ['Logs | sort by foo', 'sort'],
    ];
    for (const [query, operator] of cases) expect(refusal(query).message, query).toBe(`Semantic error: '${operator}' operator: Failed to resolve scalar expression named 'foo'`);
  });

  it('reports syntax errors at the token, 1-based line and 0-based column, as Log Analytics does', () => {
    // Both strings and positions as recorded from Log Analytics in the Azure SDKs' docs and test recordings.
    expect(refusal('completely invalid syntax').message).toBe("Syntax error: Query could not be parsed at 'invalid' on line [1,11]");
    expect(refusal('My Not So Valid Query')).toMatchObject({ kind: 'syntax', line: 1, column: 3, token: 'Not' });
  });

  it('refuses an operator outside the subset as a syntax error that lists the operators it has', () => {
    const error = refusal('Logs\n| extend x = 1');
    expect(error).toMatchObject({ kind: 'syntax', line: 2, column: 2, token: 'extend' });
    expect(error.message).toBe("Syntax error: Query could not be parsed at 'extend' on line [2,2]: the sandbox supports the operators where, summarize, order by, sort by, take, limit and project");
    expect(refusal('Logs | Where status == 200').token).toBe('Where'); // operators are case-sensitive
  });

  it('refuses unknown functions, and aggregations outside summarize', () => {
    expect(refusal("Logs | where tolower(path) == 'x'").message).toBe(
      "Semantic error: 'where' operator: Unknown function: 'tolower'. The sandbox knows ago, bin, count, dcount, isempty, isnotempty, isnotnull, isnull, max, min, not, now",
    );
    expect(refusal('Logs | where count() > 1').message).toBe("Semantic error: 'where' operator: The function 'count' cannot be invoked in the current context; aggregations belong in summarize");
    expect(refusal('Logs | summarize keyName').message).toMatch(/^Semantic error: 'summarize' operator: Expected an aggregation function/);
    expect(refusal('Logs | summarize count(timestamp)').message).toBe("Semantic error: 'summarize' operator: The function 'count' expects 0 arguments, not 1");
    expect(refusal('Logs | summarize max(isempty(path))').kind).toBe('semantic');
  });

  it('refuses comparisons across types and wrong argument types before reading any row', () => {
    expect(refusal("Logs | where status == '200'").message).toBe("Semantic error: 'where' operator: Cannot compare values of types long and string. Try adding explicit casts");
    expect(refusal("Logs | where timestamp > '2026-12-01'").message).toBe("Semantic error: 'where' operator: Cannot compare values of types datetime and string. Try adding explicit casts");
    expect(refusal("Logs | where status has '20'").message).toBe("Semantic error: 'where' operator: Cannot compare values of types long and string with 'has'. Try adding explicit casts");
    expect(refusal('Logs | where status in (200, "204")').kind).toBe('semantic');
    expect(refusal('Logs | where status').message).toBe("Semantic error: 'where' operator: The predicate must be a bool expression, not long");
    expect(refusal('Logs | where timestamp > ago(5)').message).toBe("Semantic error: 'where' operator: The function 'ago' expects argument 1 of type timespan, not long");
    expect(refusal('Logs | summarize count() by bin(timestamp, 5)').kind).toBe('semantic');
    expect(refusal("Logs | where status == 200 and 'x'").kind).toBe('semantic');
    // Semantic checks come first even when no row would reach them.
    expect(refusal("Logs | where status == '200'", { Logs: [] }).kind).toBe('semantic');
  });

  it('refuses duplicate and timespan output columns', () => {
    expect(refusal('Logs | project keyName, keyName').message).toBe("Semantic error: 'project' operator: A column named 'keyName' is already defined");
    expect(refusal('Logs | project Span = 1h').message).toBe("Semantic error: 'project' operator: The sandbox cannot return the timespan column 'Span'");
  });

  it('refuses malformed literals and broken syntax with the position', () => {
    const cases: [string, string][] = [
      ["Logs | where path == 'x", "Syntax error: Query could not be parsed at ''x' on line [1,21]: the string literal is not closed"],
      ["Logs | where path == 'a\\qb'", "Syntax error: Query could not be parsed at '\\q' on line [1,23]: unknown escape sequence"],
      ['Logs | where timestamp > ago(3w)', "Syntax error: Query could not be parsed at '3w' on line [1,29]: 'w' is not a timespan unit (the sandbox knows d, h, m, s and ms)"],
      ['Logs | where timestamp > datetime(2026-02-30)', "Syntax error: Query could not be parsed at 'datetime(2026-02-30)' on line [1,25]: '2026-02-30' is not a datetime"],
      ['Logs | where timestamp > datetime(2026-12-01', "Syntax error: Query could not be parsed at 'datetime' on line [1,25]: expected datetime(yyyy-MM-ddTHH:mm:ssZ)"],
      ['Logs | where (status == 200', "Syntax error: Query could not be parsed at '<end of query>' on line [1,27]"],
      ["Logs | where keyName = 'x'", "Syntax error: Query could not be parsed at '=' on line [1,21]"],
      ['Logs take 1', "Syntax error: Query could not be parsed at 'take' on line [1,5]"],
      ['Logs | take ten', "Syntax error: Query could not be parsed at 'ten' on line [1,12]"],
      ['Logs | order status', "Syntax error: Query could not be parsed at 'status' on line [1,13]"],
      ['Logs | where status == 200 ;', "Syntax error: Query could not be parsed at ';' on line [1,27]"],
      ['Logs |', "Syntax error: Query could not be parsed at '<end of query>' on line [1,6]"],
      ['', "Syntax error: Query could not be parsed at '<end of query>' on line [1,0]"],
    ];
    for (const [query, message] of cases) {
      const error = refusal(query);
      expect(error.kind, query).toBe('syntax');
      expect(error.message, query).toBe(message);
    }
  });

  it('kqlProblem builds the vendor\'s ProblemDetails 400 around the message', () => {
    expect(kqlProblem(refusal('Foo'), '00-abc-def-00')).toEqual({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'Bad Request',
      status: 400,
      detail: "Semantic error: 'Foo' operator: Failed to resolve table or column expression named 'Foo'",
      traceId: '00-abc-def-00',
    });
  });
});

describe('bounds', () => {
  it('runs a query of exactly 10,000 characters and refuses one of 10,001 before parsing it', () => {
    const base = 'Logs | take 1 //';
    const longest = base + 'x'.repeat(MAX_QUERY_LENGTH - base.length);
    expect(longest).toHaveLength(10_000);
    expect(rows(longest)).toHaveLength(1);
    const error = refusal(`${longest}x`);
    expect(error.kind).toBe('limit');
    expect(error.message).toBe('The query is 10001 characters long; the limit is 10000.');
  });

  it('refuses a result over 10,000 rows rather than cut it, and returns one of exactly 10,000', () => {
    const big = { T: Array.from({ length: 10_001 }, (_, n) => ({ n })) };
    const error = refusal('T', big);
    expect(error.kind).toBe('limit');
    expect(error.message).toBe('Query result set has exceeded the internal record count limit 10000 (it has 10001 rows); narrow it with where, summarize or take.');
    expect(rows('T | take 10000', big)).toHaveLength(10_000);
    expect(rows('T | summarize count()', big)).toEqual([[10_001]]);
    expect(() => runKql('Logs', TABLES, NOW, { maxRows: 3 })).toThrow(/record count limit 3 \(it has 8 rows\)/);
  });

  it('refuses deep nesting as a limit instead of overflowing the stack', () => {
    const nested = (depth: number) => `Logs | where ${'('.repeat(depth)}status == 403${')'.repeat(depth)}`;
    expect(which(`${'('.repeat(40)}status == 403${')'.repeat(40)}`)).toEqual([1]);
    expect(rows(nested(63))).toHaveLength(1);
    expect(refusal(nested(64))).toMatchObject({ kind: 'limit', message: 'The query nests expressions deeper than 64 levels (at line [1,77]).' });
    expect(refusal(nested(4_900)).kind).toBe('limit');
  });
});
