/**
 * The metadata of a key entry that a person writes, declared once. Everything else follows from
 * this table: the contract's types (KeySummary, NewKeyInput, KeyEdit), the rules a value must meet
 * (checkKeyField), the IPC schemas, the inventory's row mapping (core/keys/key-store.ts), the add and
 * edit forms' fields, and tkv's `key add` / `key edit` flags. A new field is one entry here, its
 * migration (its column) and, where it should show, its column in the key table.
 *
 * The entry's identity (tenant, name), its secret, its server name and its admin mark are not here:
 * each has rules of its own (a secret is never metadata; an admin mark clears the tenant's others).
 */
import { checkIsoDate, checkScopes, checkText } from './rules.ts';

export type KeyFieldKind = 'scopes' | 'date' | 'text' | 'multiline';

export interface KeyFieldSpec {
  /** Its column in the inventory's `keys` table. */
  column: string;
  kind: KeyFieldKind;
  /** Its name in an error, a form's error summary and `key show`. */
  label: string;
  /** The form control's own label, and what its empty control suggests. */
  formLabel: string;
  hint?: string;
  /** tkv's flag for it, the value's placeholder, and what the flag sets on `key add` and on `key edit`. */
  flag: string;
  placeholder: string;
  description: string;
  editDescription: string;
  /**
   * How an edit clears it when an empty value cannot (a date): `key edit`'s flag, and the edit
   * form's check box.
   */
  clear?: { flag: string; description: string; formLabel: string };
  /** Said under a date field when the date has passed. */
  pastWarning?: string;
}

/**
 * In the order a person fills them in: what the key may do, until when, whose it is, what it is
 * for. Forms, flags and the audit's list of changed fields follow this order.
 */
export const KEY_FIELDS = {
  scopes: {
    column: 'scopes',
    kind: 'scopes',
    label: 'Scopes',
    formLabel: 'Scopes',
    hint: 'Pass.Read, tenant.core:read',
    flag: 'scopes',
    placeholder: 'a,b',
    description: 'scopes, comma-separated (tkv probe list shows which probes test them; * is every scope)',
    editDescription: 'its declared scopes, replacing the old ones ("" declares none)',
  },
  expiresOn: {
    column: 'expires_on',
    kind: 'date',
    label: 'Expiry date',
    formLabel: 'Expires',
    flag: 'expires',
    placeholder: 'YYYY-MM-DD',
    description: 'its expiry date',
    editDescription: 'its expiry date',
    clear: { flag: 'no-expiry', description: 'it does not expire', formLabel: 'Never expires' },
    pastWarning: 'This date has passed: the key will show as expired.',
  },
  owner: { column: 'owner', kind: 'text', label: 'Owner', formLabel: 'Owner', hint: 'team or system', flag: 'owner', placeholder: 'TEXT', description: 'who owns it (a person or a team)', editDescription: 'who owns it ("" clears it)' },
  notes: { column: 'notes', kind: 'multiline', label: 'Notes', formLabel: 'Notes', flag: 'notes', placeholder: 'TEXT', description: 'what it is for', editDescription: 'what it is for ("" clears it)' },
} as const satisfies Record<string, KeyFieldSpec>;

export type KeyField = keyof typeof KEY_FIELDS;

/** The fields in their declared order. */
export const KEY_FIELD_NAMES = Object.keys(KEY_FIELDS) as KeyField[];

type KindOf<F extends KeyField> = (typeof KEY_FIELDS)[F]['kind'];

/** The fields as a key shows them: null when not recorded (declared scopes: an empty list). */
export type KeyFieldValues = { [F in KeyField]: KindOf<F> extends 'scopes' ? string[] : string | null };

/** The fields as a new key gives them, each optional. */
export type KeyFieldInput = { [F in KeyField]?: KindOf<F> extends 'scopes' ? string[] : string };

/** The fields as an edit changes them: only those given; null clears one. */
export type KeyFieldEdit = { [F in KeyField]?: KindOf<F> extends 'scopes' ? string[] : string | null };

/** Why a field's value is refused, or null; values are trimmed and de-duplicated first (see normalizeKeyField). */
export function checkKeyField(field: KeyField, value: string | readonly string[]): string | null {
  const spec: KeyFieldSpec = KEY_FIELDS[field];
  switch (spec.kind) {
    case 'scopes':
      return checkScopes(value as readonly string[]);
    case 'date':
      return checkIsoDate(value as string, spec.label);
    case 'text':
      return checkText(value as string, spec.label);
    case 'multiline':
      return checkText(value as string, spec.label, { multiline: true });
  }
}

/** A list of scopes as typed: comma-separated, spaces around each ignored, empty ones dropped. */
export function parseScopeList(text: string): string[] {
  return text
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
}

/** A form's text for each field, from a key (or empty, for a new one). */
export function keyFieldTexts(key: KeyFieldValues | null): Record<KeyField, string> {
  return Object.fromEntries(KEY_FIELD_NAMES.map((field) => [field, key === null ? '' : Array.isArray(key[field]) ? key[field].join(', ') : (key[field] ?? '')])) as Record<KeyField, string>;
}

/** Why each field's text is refused, field by field (null when it is fine): what a form says under each. */
export function keyFieldProblems(texts: Record<KeyField, string>): [KeyField, string | null][] {
  return KEY_FIELD_NAMES.map((field) => {
    const text = KEY_FIELDS[field].kind === 'multiline' || KEY_FIELDS[field].kind === 'text' ? texts[field] : texts[field].trim();
    if (KEY_FIELDS[field].kind === 'scopes') return [field, checkScopes(parseScopeList(text))];
    return [field, text === '' ? null : checkKeyField(field, text)];
  });
}

/** A form's texts as a new key's fields: empty ones left out. */
export function keyFieldsFromTexts(texts: Record<KeyField, string>): KeyFieldInput {
  const fields: Record<string, string | string[]> = {};
  for (const field of KEY_FIELD_NAMES) {
    if (KEY_FIELDS[field].kind === 'scopes') fields[field] = parseScopeList(texts[field]);
    else if (texts[field].trim() !== '') fields[field] = texts[field].trim();
  }
  return fields as KeyFieldInput;
}

/** What a form's texts change of a key's fields: only those that differ; an emptied field is cleared. */
export function keyFieldChanges(texts: Record<KeyField, string>, key: KeyFieldValues): KeyFieldEdit {
  const changes: Record<string, string | string[] | null> = {};
  for (const field of KEY_FIELD_NAMES) {
    if (KEY_FIELDS[field].kind === 'scopes') {
      const list = parseScopeList(texts[field]);
      if (list.join('\n') !== (key[field] as string[]).join('\n')) changes[field] = list;
    } else {
      const value = texts[field].trim() || null;
      if (value !== key[field]) changes[field] = value;
    }
  }
  return changes as KeyFieldEdit;
}

/** A field's value as it is stored: scopes trimmed and each kept once; text trimmed, empty text none. */
export function normalizeKeyField(field: KeyField, value: string | readonly string[] | null): string | string[] | null {
  if (value === null) return null;
  if (KEY_FIELDS[field].kind === 'scopes') return [...new Set((value as readonly string[]).map((scope) => scope.trim()))];
  return KEY_FIELDS[field].kind === 'date' ? (value as string) : (value as string).trim() || null;
}
