/**
 * Field errors tied to their fields: a form keeps `errors` (field name → message); each input takes
 * `invalid(errors, name)` for its aria-invalid and aria-describedby, and the message is rendered
 * under it with `errorId(name)`. On a failed submit, focus moves to the first invalid field.
 */
export type FieldErrors = Record<string, string>;

export function errorId(form: string, name: string): string {
  return `${form}-${name}-error`;
}

/** The ARIA attributes of a field, given the form's errors. */
export function invalid(form: string, errors: FieldErrors, name: string): { 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined } {
  const message = errors[name];
  return { 'aria-invalid': message ? 'true' : undefined, 'aria-describedby': message ? errorId(form, name) : undefined };
}

/** Moves focus to the first invalid field of `form`, after the DOM shows the errors. */
export function focusFirstInvalid(form: HTMLElement | null): void {
  queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** The rule problems of some fields, keeping only the ones that apply. */
export function collect(checks: [name: string, problem: string | null][]): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, problem] of checks) if (problem && !errors[name]) errors[name] = problem;
  return errors;
}

/**
 * A server's refusal tied to the field it names ("Key name may only contain…"), or to the form.
 * `labels` maps each field to the words the rules use for it.
 */
export function placeServerError(message: string, labels: Record<string, string>): FieldErrors {
  for (const [name, label] of Object.entries(labels)) if (message.toLowerCase().startsWith(label.toLowerCase())) return { [name]: message };
  return {};
}
