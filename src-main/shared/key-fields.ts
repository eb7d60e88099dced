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
  /** What a person reads beside it: a form's label, the rule's name in an error. */
  label: string;
  /** tkv's flag for it, the value's placeholder, and what the flag sets. */
  flag: string;
  placeholder: string;
  description: string;
  /** `key edit`'s flag that clears it, when an empty value cannot (a date). */
  clearFlag?: { name: string; description: string };
}

export const KEY_FIELDS = {
  notes: { column: 'notes', kind: 'multiline', label: 'Notes', flag: 'notes', placeholder: 'TEXT', description: 'what it is for' },
  owner: { column: 'owner', kind: 'text', label: 'Owner', flag: 'owner', placeholder: 'TEXT', description: 'who owns it (a person or a team)' },
  expiresOn: {
    column: 'expires_on',
    kind: 'date',
    label: 'Expiry date',
    flag: 'expires',
    placeholder: 'YYYY-MM-DD',
    description: 'its expiry date',
    clearFlag: { name: 'no-expiry', description: 'it does not expire' },
  },
  scopes: { column: 'scopes', kind: 'scopes', label: 'Scopes', flag: 'scopes', placeholder: 'a,b', description: 'scopes, comma-separated (tkv probe list shows which probes test them; * is every scope)' },
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

/** A field's value as it is stored: scopes trimmed and each kept once; text trimmed, empty text none. */
export function normalizeKeyField(field: KeyField, value: string | readonly string[] | null): string | string[] | null {
  if (value === null) return null;
  if (KEY_FIELDS[field].kind === 'scopes') return [...new Set((value as readonly string[]).map((scope) => scope.trim()))];
  return KEY_FIELDS[field].kind === 'date' ? (value as string) : (value as string).trim() || null;
}
