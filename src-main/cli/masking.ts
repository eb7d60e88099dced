// Masking is core's stream redactor now (core/redaction/stream-redactor.ts, used by commands/exec.ts).
// This re-export stays only because test/integration/cli/airwallex.test.ts imports PLACEHOLDER from
// here and was not this change's to edit: delete this file once it imports from ./commands/exec.ts.
export { PLACEHOLDER } from './commands/exec.ts';
