/** Schema pieces the domains share: bounded names, texts and key references. */
import { z } from 'zod';
import { NAME_MAX_LENGTH, SCOPE_MAX_LENGTH, SCOPES_MAX_COUNT, TEXT_MAX_LENGTH } from '../shared/rules.ts';

export const name = z.string().min(1).max(NAME_MAX_LENGTH);
export const text = z.string().max(TEXT_MAX_LENGTH);
export const keyRef = z.strictObject({ tenant: name, name });
export const none = z.undefined();
export const scopes = z.array(z.string().max(SCOPE_MAX_LENGTH)).max(SCOPES_MAX_COUNT);

/** A short description of why input was refused: field paths and rules, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message}`)
    .join('; ');
}
