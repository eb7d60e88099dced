/**
 * Every command's usage, apart from the commands themselves: `tkv --help` and `tkv help COMMAND`
 * print them without loading any command (tkv starts in the time Node itself takes).
 */
import { PLACEHOLDER } from './masking.ts';

export const CHECK_USAGE = [
  'tkv check ALIAS/NAME [--probe ID] [--scopes-matrix] [--json] [--report md]',
  'tkv check --base-url URL --tenant-id ID [--path PATH] --key-stdin [--header NAME | --auth bearer|airwallex [--client-id ID] [--login-as ACCOUNT]] [--timeout-ms N] [--ca-file PEM] [--json] [--report md]',
  'tkv check --all [--tenant ALIAS] [--concurrency N] [--per-tenant N] [--json]',
];
export const EXEC_USAGE = 'tkv exec ALIAS/NAME [ALIAS/NAME…] [--env VAR]… [--header-env VAR]… [--dry-run] [--no-masking] [--force] -- COMMAND [ARGS…]';
export const EXEC_HELP = `${EXEC_USAGE}

Runs COMMAND with each key in its environment, and exits with COMMAND's exit code.
For each key (in the order given), these variables are set; NAME is the key's name in capitals,
with anything but letters and digits as "_":
  NAME_API_KEY     the key (or the name given with --env, one per key, in order)
  NAME_BASE_URL    the tenant's base URL
  NAME_TENANT_ID   the tenant id
  --header-env VAR also sets VAR to "X-API-KEY: <key>", ready for curl -H "$VAR".
An Airwallex key is exchanged at its login endpoint first: the program gets NAME_TOKEN, the
short-lived bearer token, never the key (and --header-env gives "Authorization: Bearer <token>").
--dry-run prints the variables' names and what they hold, never the values, and runs nothing.
Output: what COMMAND writes to a pipe or a file has every key replaced by ${PLACEHOLDER},
encoded too (percent-encoded, JSON-escaped, hex, base64, as in a Basic auth header)
(--no-masking turns that off); output to a terminal passes through untouched, colours and
prompts included. A key that expired, or that the server refused (401) at its last check, is
refused unless --force.`;
export const IMPORT_USAGE = 'tkv import FILE --tenant ALIAS [--format env|csv] [--dry-run] [--json]';
export const KEY_USAGE = [
  'tkv key add ALIAS/NAME [--scopes a,b] [--notes TEXT] [--expires YYYY-MM-DD] [--owner TEXT] [--admin] [--json]   (secret on stdin or at the prompt)',
  'tkv key list [--tenant ALIAS] [--json]',
  'tkv key show ALIAS/NAME [--json]',
  'tkv key reveal ALIAS/NAME [--json]',
  'tkv key remove ALIAS/NAME [--yes] [--json]',
  'tkv key history ALIAS/NAME [--json]',
  'tkv key edit ALIAS/NAME [--notes TEXT] [--owner TEXT] [--expires YYYY-MM-DD | --no-expiry] [--scopes a,b] [--remote-name NAME] [--admin | --no-admin] [--json]',
  'tkv key copy ALIAS/NAME [--json]   (to the clipboard, cleared after 30 s if still there; audited)',
  'tkv key replace ALIAS/NAME [--json]   (after a regenerate: the new key on stdin or at the prompt, checked before the old one is dropped)',
];
export const PROBE_USAGE = [
  'tkv probe list [--vendor wallet-crew|airwallex|generic] [--json]',
  'tkv probe add ID --path /api/{tenantId}/... [--method GET|HEAD] [--scope SCOPE] [--risk none|low|medium|high] [--vendor V] [--description TEXT] [--json]',
  'tkv probe remove ID [--json]',
];
export const REMOTE_USAGE = [
  'tkv remote list ALIAS [--offline] [--json]',
  'tkv remote get ALIAS/NAME [--json]',
  'tkv remote create ALIAS/NAME (--scopes a,b | --like ALIAS/OTHER) [--disabled] [--show-token] [--json]',
  'tkv remote update ALIAS/NAME [--enable | --disable] [--scopes a,b] [--json]',
  'tkv remote delete ALIAS/NAME [--yes] [--json]',
];
export const REVIEW_USAGE = [
  'tkv review [--tenant ALIAS] [--fail-on warning|critical] [--all] [--json]',
  'tkv review export --format csv|json|md|html [--tenant ALIAS] [--out FILE]',
  'tkv review sign --reviewer NAME [--note TEXT] [--json]',
];
export const AUDIT_USAGE = ['tkv audit [--key ALIAS/NAME] [--action A] [--since DATE] [--limit N] [--json | --csv]', 'tkv audit verify [--json]'];
export const ROTATE_USAGE = [
  'tkv rotate ALIAS/NAME [--new-name N] [--json]',
  'tkv rotate ALIAS/NAME --finish [--retire disable|delete] [--yes] [--json]',
  'tkv rotate ALIAS/NAME (--resume | --abort | --journal) [--json]',
  'tkv rotate --status [--all] [--json]',
];
export const SANDBOX_USAGE =
  "tkv sandbox [--host 127.0.0.1] [--port 0] [--state-dir DIR] [--tenants demo,acme] [--json] [--config FILE] [--fault 'MODES@ROUTE']... [--throttle 'TARGET=RATE/s,...']... [--auth-challenge problem|empty]";
export const DOCTOR_USAGE = 'tkv doctor [--json]';
export const RECONCILE_USAGE = 'tkv reconcile [--remove-orphans [--yes]] [--json]';
export const TENANT_USAGE = [
  'tkv tenant add ALIAS --tenant-id ID (--env production|staging | --base-url URL) [--provider wallet-crew|airwallex --client-id ID [--login-as ACCOUNT]] [--label TEXT] [--json]   (Airwallex: --env production|demo)',
  'tkv tenant list [--json]',
  'tkv tenant remove ALIAS [--with-keys [--yes]] [--json]',
  'tkv tenant bearer ALIAS [--expires-at ISO-TIME | --clear] [--json]   (OAuth admin token on stdin or at the prompt)',
];

export const COMPLETION_USAGE = 'tkv completion bash|zsh|fish   (prints a completion script: source <(tkv completion bash))';

/** Each command's usage lines, for `tkv help COMMAND`, `tkv COMMAND --help` and a bare `tkv COMMAND`. */
export const COMMAND_USAGE: Record<string, string[]> = {
  tenant: TENANT_USAGE,
  key: KEY_USAGE,
  check: CHECK_USAGE,
  probe: PROBE_USAGE,
  remote: REMOTE_USAGE,
  rotate: ROTATE_USAGE,
  review: REVIEW_USAGE,
  audit: AUDIT_USAGE,
  exec: [EXEC_HELP],
  import: [IMPORT_USAGE],
  reconcile: [RECONCILE_USAGE],
  doctor: [DOCTOR_USAGE],
  sandbox: [SANDBOX_USAGE],
  completion: [COMPLETION_USAGE],
};
