/**
 * Keys read from a file a developer already has — a `.env` file or a CSV — planned against the vault
 * (what is new, what is already there and where, what the vault's rules refuse), then stored one by
 * one: each secret in the keychain, the rest in the inventory, each audited as imported. A malformed
 * line is reported by its number (never its content: it may hold a key) and nothing of it is stored;
 * the others go on. A `.env` file holds more than keys (a database URL, a debug flag): only the
 * variables that look like API keys are taken unless every one is asked for.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { checkName, checkSecret, NAME_PATTERN } from '../../shared/rules.ts';
import type { KeySummary } from '../../shared/contract.ts';
import { KEY_FIELD_NAMES, KEY_FIELDS, type KeyFieldInput } from '../../shared/key-fields.ts';
import { VaultError } from '../errors.ts';
import { fingerprint } from './fingerprint.ts';
import type { KeyService } from './key-service.ts';

export type ImportFormat = 'env' | 'csv';

export interface ImportEntry {
  line: number;
  name: string;
  /** The variable it came from, in a `.env` file. */
  variable?: string;
  secret: string;
  /** The key's written fields (shared/key-fields.ts), from the CSV's columns named by their flags. */
  fields: KeyFieldInput;
  /** Said about the entry as read (whitespace trimmed, a key shorter than keys usually are). */
  notices: string[];
}

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ParsedImport {
  entries: ImportEntry[];
  problems: ImportProblem[];
}

const SHORT_KEY = 16;
/** A line longer than this is refused unread: an import file holds a few short lines. */
export const MAX_LINE = 16_384;
/** Variable names that say "this is a key" (ORDERS_API_KEY, STRIPE_KEY, CRM_TOKEN, APIKEY). */
const KEY_VARIABLE = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET)$/i;
/** A value shaped like an API key: one word of the base64url (or hex) alphabet, 16 characters or more. */
const KEY_VALUE = /^[A-Za-z0-9_\-.~+/=]{16,}$/;

/** The file's format from its name: `.csv` is CSV, anything else (`.env`, `.env.local`) a dotenv file. */
export function formatOf(file: string): ImportFormat {
  return /\.csv$/i.test(file) ? 'csv' : 'env';
}

/**
 * `ORDERS_API_KEY` → `orders`: an entry name the vault accepts, and one that the command line's `exec` turns back
 * into the same variable (it exports NAME_API_KEY). Other names are kept whole (`CRM_TOKEN` → `crm-token`).
 */
export function entryName(variable: string): string {
  const stem = /^(.+?)_API_?KEY$/i.exec(variable)?.[1] ?? variable;
  return stem.toLowerCase().replace(/_/g, '-').replace(/^-+|-+$/g, '');
}

/** Whether a `.env` variable looks like an API key, by its name or its value; a URL, a flag or a path does not. */
export function looksLikeKey(variable: string, value: string): boolean {
  if (!KEY_VALUE.test(value) || /^https?:|:\/\//i.test(value)) return false;
  return KEY_VARIABLE.test(variable) || /^[A-Za-z0-9_-]{64}$/.test(value);
}

export function parseImport(text: string, format: ImportFormat): ParsedImport {
  return format === 'csv' ? parseCsvFile(text) : parseEnvFile(text);
}

/** `.env`: VAR=VALUE per line, `export` prefixes, single or double quotes, `#` comments. */
function parseEnvFile(text: string): ParsedImport {
  const entries: ImportEntry[] = [];
  const problems: ImportProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.length > MAX_LINE) {
      problems.push({ line, message: `longer than ${MAX_LINE.toLocaleString('en')} characters: not a VAR=VALUE line (not read)` });
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      problems.push({ line, message: 'not VAR=VALUE (the line is not repeated here: it may hold a key)' });
      continue;
    }
    const value = unquote(match[2]!);
    if (value === null) {
      problems.push({ line, message: `${match[1] ?? 'a variable'}: the value's quotes are not closed` });
      continue;
    }
    addEntry(entries, problems, { line, name: entryName(match[1]!), variable: match[1]!, secret: value, fields: {} });
  }
  return { entries, problems };
}

/** A dotenv value: quoted (double quotes take \n and \" escapes), or bare up to a ` #` comment. */
function unquote(value: string): string | null {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    if (end === -1) return null;
    const inner = value.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
  }
  return value.replace(/\s+#.*$/, '');
}

/** The CSV's optional columns: each key field, named as its flag is (scopes, expires, owner, notes…). */
const FIELD_COLUMNS = KEY_FIELD_NAMES.map((field) => KEY_FIELDS[field].flag).join(', ');

/** A CSV row's key fields: each from its column, trimmed; scopes split on commas, spaces or semicolons. */
function fieldsOf(record: Record<string, string>): KeyFieldInput {
  const fields: Record<string, string | string[]> = {};
  for (const field of KEY_FIELD_NAMES) {
    const cell = record[KEY_FIELDS[field].flag]?.trim();
    if (!cell) continue;
    fields[field] = KEY_FIELDS[field].kind === 'scopes' ? cell.split(/[\s,;]+/).filter(Boolean) : cell;
  }
  return fields as KeyFieldInput;
}

/** CSV: a header row naming the columns (name, key, and the key fields' flags), then one key per row. */
function parseCsvFile(text: string): ParsedImport {
  const entries: ImportEntry[] = [];
  const problems: ImportProblem[] = [];
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''), {
      columns: (header: string[]) => header.map((column) => column.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_LINE,
      info: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (error) problems.push({ line: (error as unknown as { lines?: number }).lines ?? 0, message: 'not a valid CSV row (a quote is not closed, or a stray one)' });
        return undefined;
      },
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    throw new VaultError('INVALID_INPUT', `The CSV could not be read: ${(error as { code?: string }).code ?? 'malformed'}. Check its header row: name, key, ${FIELD_COLUMNS}.`);
  }
  if (rows.length > 0 && !('name' in rows[0]!.record && ('key' in rows[0]!.record || 'secret' in rows[0]!.record))) {
    throw new VaultError('INVALID_INPUT', `The CSV needs a header row naming at least the columns "name" and "key" (and optionally ${FIELD_COLUMNS}).`);
  }
  for (const { record, info } of rows) {
    addEntry(entries, problems, { line: info.lines, name: (record.name ?? '').trim(), secret: record.key ?? record.secret ?? '', fields: fieldsOf(record) });
  }
  return { entries, problems };
}

function addEntry(entries: ImportEntry[], problems: ImportProblem[], entry: Omit<ImportEntry, 'notices'>): void {
  const notices: string[] = [];
  const secret = entry.secret.trim();
  if (secret !== entry.secret) notices.push('whitespace around the key was trimmed');
  // The name is not repeated: a key pasted into the wrong column would be printed with it.
  const nameProblem = NAME_PATTERN.test(entry.name) ? checkName(entry.name, 'Key name') : "Key name: may only contain letters, digits, '.', '_' and '-' (the value is not repeated here: it may be a key in the wrong column)";
  if (nameProblem) {
    problems.push({ line: entry.line, message: nameProblem });
    return;
  }
  const secretProblem = checkSecret(secret);
  if (secretProblem) {
    problems.push({ line: entry.line, message: `${entry.name}: ${secretProblem}` });
    return;
  }
  if (secret.length < SHORT_KEY) notices.push(`the key is only ${secret.length} characters long; API keys are usually longer — check it is the key and not a name`);
  if (entries.some((other) => other.name === entry.name)) {
    problems.push({ line: entry.line, message: `${entry.name}: the file names this key twice; the first is kept` });
    return;
  }
  entries.push({ ...entry, secret, notices });
}

export interface ImportPlanItem {
  entry: ImportEntry;
  /**
   * `store`; `skip` (the same key, or the same name, is in the vault already; or, from a `.env` file,
   * not an API key); `refuse` (the vault's rules would refuse it: the real run refuses it too).
   */
  action: 'store' | 'skip' | 'refuse';
  reason: string | null;
}

/**
 * What an import would do with each entry, judged by the same rules the real run applies. From a
 * `.env` file only variables that look like keys are stored, unless `every` asks for all of them.
 */
export function planImport(keys: KeyService, tenant: string, entries: ImportEntry[], options: { every?: boolean } = {}): ImportPlanItem[] {
  keys.list({ tenant });
  const planned = new Set<string>();
  return entries.map((entry): ImportPlanItem => {
    if (entry.variable !== undefined && !options.every && !looksLikeKey(entry.variable, entry.secret)) return { entry, action: 'skip', reason: 'not an API key by its name or its value' };
    const twin = keys.byFingerprint(fingerprint(entry.secret))[0];
    if (twin) return { entry, action: 'skip', reason: `this key is already stored as ${twin.tenant}/${twin.name}` };
    if (keys.find({ tenant, name: entry.name })) return { entry, action: 'skip', reason: `${tenant}/${entry.name} already exists (another key)` };
    const problem = keys.newKeyProblem(newKeyInput(tenant, entry));
    if (problem) return { entry, action: 'refuse', reason: problem.message };
    // Two variables that map to one name (ORDERS_API_KEY and orders_api_key): the first is kept.
    if (planned.has(entry.name)) return { entry, action: 'refuse', reason: `another line of the file is stored as ${tenant}/${entry.name}` };
    planned.add(entry.name);
    return { entry, action: 'store', reason: null };
  });
}

function newKeyInput(tenant: string, entry: ImportEntry) {
  return { tenant, name: entry.name, secret: entry.secret, ...entry.fields };
}

export interface ImportOutcome {
  stored: KeySummary[];
  /** Entries refused by the vault's rules (an expiry that is not a date, say), by line. */
  refused: ImportProblem[];
  /** Set when the keychain stopped answering: the import stopped there, and nothing of that entry was kept. */
  stoppedAt: { line: number; message: string } | null;
}

/** Stores the planned entries one by one; a keychain failure stops the import (the rest would fail too). */
export async function storeImport(keys: KeyService, tenant: string, plan: ImportPlanItem[]): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { stored: [], refused: [], stoppedAt: null };
  for (const { entry, action } of plan) {
    if (action !== 'store') continue;
    try {
      outcome.stored.push(await keys.add(newKeyInput(tenant, entry), 'imported'));
    } catch (error) {
      const message = error instanceof VaultError ? error.message : 'an unexpected error';
      if (error instanceof VaultError && (error.code === 'KEYCHAIN_UNAVAILABLE' || error.code === 'STORAGE_ERROR')) {
        outcome.stoppedAt = { line: entry.line, message };
        break;
      }
      outcome.refused.push({ line: entry.line, message: `${entry.name}: ${message}` });
    }
  }
  return outcome;
}
