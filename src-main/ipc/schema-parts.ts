/** Schema pieces the domains share: bounded names, texts and key references. */
import { z } from 'zod';
import { KEY_FIELD_NAMES, KEY_FIELDS, type KeyField, type KeyFieldEdit, type KeyFieldInput, type KeyFieldKind } from '../shared/key-fields.ts';
import { NAME_MAX_LENGTH, SCOPE_MAX_LENGTH, SCOPES_MAX_COUNT, TEXT_MAX_LENGTH } from '../shared/rules.ts';

export const name = z.string().min(1).max(NAME_MAX_LENGTH);
export const text = z.string().max(TEXT_MAX_LENGTH);
export const keyRef = z.strictObject({ tenant: name, name });
export const none = z.undefined();
export const scopes = z.array(z.string().max(SCOPE_MAX_LENGTH)).max(SCOPES_MAX_COUNT);

/** A key field's value by its kind (key-fields.ts): only its size is bounded here; the rules are the service's. */
const FIELD_VALUE: Record<KeyFieldKind, z.ZodType> = { scopes, date: z.string().max(10), text, multiline: text };

/** The key fields a new key may give, each optional. */
export const keyFieldsToAdd = Object.fromEntries(KEY_FIELD_NAMES.map((field) => [field, FIELD_VALUE[KEY_FIELDS[field].kind].optional()])) as unknown as {
  [F in KeyField]: z.ZodOptional<z.ZodType<NonNullable<KeyFieldInput[F]>>>;
};

/** The key fields an edit may change, each optional; null clears one (declared scopes: an empty list). */
export const keyFieldsToEdit = Object.fromEntries(
  KEY_FIELD_NAMES.map((field) => [field, (KEY_FIELDS[field].kind === 'scopes' ? FIELD_VALUE.scopes : FIELD_VALUE[KEY_FIELDS[field].kind].nullable()).optional()]),
) as unknown as { [F in KeyField]: z.ZodOptional<z.ZodType<KeyFieldEdit[F]>> };

/** A short description of why input was refused: field paths and rules, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message}`)
    .join('; ');
}
