/**
 * Every tkv command, declared once (see spec.ts): what it is for, its arguments and flags with a
 * line each, examples, and where its handler lives. Help, usage errors, completion and the README's
 * command list are all made from this table. It holds only text: the handlers load when they run.
 */
import { KEY_FIELD_NAMES, KEY_FIELDS, type KeyFieldSpec } from '../shared/key-fields.ts';
import type { CommandSpec, FlagSpec, GroupSpec } from './spec.ts';

const KEY_REF = { name: 'ALIAS/NAME', description: 'a stored key: its tenant alias, a slash, its name (acme-prod/crm-sync)', completes: 'key' } as const;
const TENANT = { name: 'ALIAS', description: 'a tenant alias of this vault (tkv tenant list)', completes: 'tenant' } as const;
const YES: FlagSpec = { name: 'yes', short: 'y', type: 'boolean', description: 'do it without asking (needed where there is no terminal to ask on)' };
const TENANT_FLAG: FlagSpec = { name: 'tenant', type: 'string', value: 'ALIAS', description: 'only this tenant', completes: 'tenant' };
const SCOPES: FlagSpec = { name: 'scopes', type: 'string', value: 'a,b', description: 'scopes, comma-separated (tkv probe list shows which probes test them; * is every scope)' };

/** A key's written fields as flags (shared/key-fields.ts): `key add` sets them, `key edit` changes or clears them. */
function keyFieldFlags(mode: 'add' | 'edit'): FlagSpec[] {
  return KEY_FIELD_NAMES.flatMap((field) => {
    const spec: KeyFieldSpec = KEY_FIELDS[field];
    const flag: FlagSpec = { name: spec.flag, type: 'string', value: spec.placeholder, description: mode === 'add' ? spec.description : spec.editDescription };
    return mode === 'edit' && spec.clear ? [flag, { name: spec.clear.flag, type: 'boolean', description: spec.clear.description }] : [flag];
  });
}

export const GROUPS: GroupSpec[] = [
  { word: 'tenant', summary: 'tenants: a vendor account in one environment (production, staging, or a base URL)' },
  { word: 'key', summary: 'keys held in the OS keychain, with their scopes, owner, expiry and history' },
  { word: 'probe', summary: 'the harmless requests that checks send, and probes of your own' },
  { word: 'remote', summary: 'keys on the server, through the tenant’s admin API' },
];

export const COMMANDS: CommandSpec[] = [
  // ---- tenants
  {
    words: ['tenant', 'add'],
    summary: 'add a tenant: an account of the vendor in one environment',
    args: [{ name: 'ALIAS', description: 'the name this vault gives the tenant (letters, digits, . _ -)' }],
    flags: [
      { name: 'tenant-id', type: 'string', value: 'ID', description: 'the tenant id the vendor gave (case-sensitive); for Airwallex, the account id' },
      { name: 'env', type: 'string', choices: ['production', 'staging', 'demo'], description: 'the vendor’s environment (Airwallex calls staging demo); or give --base-url' },
      { name: 'base-url', type: 'string', value: 'URL', description: 'the API’s address instead of --env: https, or http to this computer only' },
      { name: 'provider', type: 'string', choices: ['wallet-crew', 'airwallex'], description: 'the vendor (default wallet-crew)', secondary: true },
      { name: 'client-id', type: 'string', value: 'ID', description: 'Airwallex: the client id its keys log in with', secondary: true },
      { name: 'login-as', type: 'string', value: 'ACCOUNT', description: 'Airwallex: act as this connected account (x-login-as)', secondary: true },
      { name: 'label', type: 'string', value: 'TEXT', description: 'a free description shown in lists' },
    ],
    json: true,
    forms: ['ALIAS --tenant-id ID (--env production|staging | --base-url URL) [--label TEXT] [--json]', 'ALIAS --tenant-id ACCOUNT --provider airwallex --client-id ID --env production|demo [--login-as ACCOUNT] [--json]'],
    examples: [
      { command: 'tkv tenant add acme-prod --tenant-id acme --env production' },
      { command: 'tkv tenant add demo --tenant-id demo --base-url http://127.0.0.1:4010', note: 'the sandbox (tkv sandbox) on this computer' },
      { command: 'tkv tenant add payments --tenant-id acct_123 --provider airwallex --client-id C1 --env demo' },
    ],
    load: async () => (await import('./commands/tenant.ts')).add,
  },
  {
    words: ['tenant', 'list'],
    summary: 'list the tenants, with their environment and how many keys each holds',
    args: [],
    flags: [],
    json: true,
    examples: [{ command: 'tkv tenant list' }],
    load: async () => (await import('./commands/tenant.ts')).list,
  },
  {
    words: ['tenant', 'remove'],
    summary: 'remove a tenant (with --with-keys, its keys and their keychain entries too)',
    args: [TENANT],
    flags: [{ name: 'with-keys', type: 'boolean', description: 'remove its keys as well, keychain entries included' }, YES],
    json: true,
    examples: [{ command: 'tkv tenant remove acme-staging' }, { command: 'tkv tenant remove acme-staging --with-keys --yes' }],
    load: async () => (await import('./commands/tenant.ts')).remove,
  },
  {
    words: ['tenant', 'bearer'],
    summary: 'keep a pasted OAuth access token for the tenant’s admin calls (in the keychain)',
    description: 'The token is read from stdin or a hidden prompt. Admin calls use it while the tenant has no key marked --admin.',
    args: [TENANT],
    flags: [
      { name: 'expires-at', type: 'string', value: 'ISO-TIME', description: 'when the token expires, if you know (2026-12-01T18:00:00Z)' },
      { name: 'clear', type: 'boolean', description: 'forget the token instead' },
    ],
    json: true,
    examples: [{ command: 'pbpaste | tkv tenant bearer acme-prod --expires-at 2026-12-01T18:00:00Z' }, { command: 'tkv tenant bearer acme-prod --clear' }],
    load: async () => (await import('./commands/tenant.ts')).bearer,
  },
  {
    words: ['tenant', 'usage-query'],
    summary: 'show or change the KQL query that reads a key’s use from the tenant’s logs, and its column mapping',
    description:
      'The vendor’s Logs schema is not public: the defaults are the sandbox’s column names. The query may use {keyName} (the key’s server name, quoted) and {since} (a window such as 45d); its result needs Hour, Requests and LastSeen, and the caller columns mapped. Without options, shows the current settings.',
    args: [TENANT],
    flags: [
      { name: 'key-column', type: 'string', value: 'COLUMN', description: 'the Logs column that names the key (default keyName)' },
      { name: 'time-column', type: 'string', value: 'COLUMN', description: 'the Logs column of the request’s time (default timestamp)' },
      { name: 'address-column', type: 'string', value: 'COLUMN', description: 'the column of the caller’s address (default remoteAddress)' },
      { name: 'no-address-column', type: 'boolean', description: 'the logs have no caller address' },
      { name: 'user-agent-column', type: 'string', value: 'COLUMN', description: 'the column of the caller’s user agent (default userAgent)' },
      { name: 'no-user-agent-column', type: 'boolean', description: 'the logs have no user agent (the vault’s own checks then count as use)' },
      { name: 'template', type: 'string', value: 'KQL', description: 'a query of your own instead of the one the mapping implies' },
      { name: 'default-template', type: 'boolean', description: 'go back to the query the mapping implies' },
      { name: 'reset', type: 'boolean', description: 'go back to the default query and mapping' },
    ],
    json: true,
    examples: [
      { command: 'tkv tenant usage-query acme-prod' },
      { command: 'tkv tenant usage-query acme-prod --key-column ApiKeyName --time-column TimeGenerated --no-user-agent-column' },
    ],
    load: async () => (await import('./commands/usage.ts')).usageQuery,
  },
  // ---- keys
  {
    words: ['key', 'add'],
    summary: 'store a key in the OS keychain (read from stdin or a hidden prompt, never from arguments)',
    args: [KEY_REF],
    flags: [
      ...keyFieldFlags('add'),
      { name: 'remote-name', type: 'string', value: 'NAME', description: 'its name on the server, when it differs from NAME (links the entry to the server’s key)' },
      { name: 'admin', type: 'boolean', description: 'the tenant’s admin credential (a key with tenant.apiKey:write): server-key commands use it' },
    ],
    json: true,
    examples: [
      { command: 'pbpaste | tkv key add acme-prod/crm-sync --scopes Pass.Read,tenant.core:read --expires 2027-06-30 --owner "CRM team"' },
      { command: 'tkv key add acme-prod/admin --scopes "*" --admin', note: 'on a terminal, a hidden prompt asks for the key' },
    ],
    load: async () => (await import('./commands/key.ts')).add,
  },
  {
    words: ['key', 'list'],
    summary: 'list the keys: scopes, fingerprint, expiry and last judgement',
    args: [],
    flags: [TENANT_FLAG],
    json: true,
    examples: [{ command: 'tkv key list' }, { command: 'tkv key list --tenant acme-prod --json' }],
    load: async () => (await import('./commands/key.ts')).list,
  },
  {
    words: ['key', 'show'],
    summary: 'show every field of a key (never its secret)',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'tkv key show acme-prod/crm-sync' }],
    load: async () => (await import('./commands/key.ts')).show,
  },
  {
    words: ['key', 'reveal'],
    summary: 'print a key’s secret (recorded in the audit log)',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'tkv key reveal acme-prod/crm-sync | pbcopy' }],
    load: async () => (await import('./commands/key.ts')).reveal,
  },
  {
    words: ['key', 'copy'],
    summary: 'copy a key’s secret to the clipboard, cleared after 30 s if it still holds it (audited)',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'tkv key copy acme-prod/crm-sync' }],
    load: async () => (await import('./commands/key.ts')).copy,
  },
  {
    words: ['key', 'edit'],
    summary: 'change a key’s notes, owner, expiry, declared scopes, server name or admin mark',
    args: [KEY_REF],
    flags: [
      ...keyFieldFlags('edit'),
      { name: 'remote-name', type: 'string', value: 'NAME', description: 'its name on the server (links the entry to the server’s key)' },
      { name: 'admin', type: 'boolean', description: 'make it the tenant’s admin credential' },
      { name: 'no-admin', type: 'boolean', description: 'it is not the admin credential' },
    ],
    json: true,
    examples: [{ command: 'tkv key edit acme-prod/crm-sync --owner "CRM team" --expires 2027-06-30' }, { command: 'tkv key edit acme-prod/admin --remote-name sandbox-admin' }],
    load: async () => (await import('./commands/key.ts')).edit,
  },
  {
    words: ['key', 'history'],
    summary: 'every check of a key: when, which probe, the verdict and the status',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'tkv key history acme-prod/crm-sync' }],
    load: async () => (await import('./commands/key.ts')).history,
  },
  {
    words: ['key', 'usage'],
    summary: 'when and by whom a key was last used: the vendor’s logs (Insights) and the vault’s exec runs',
    description:
      'Asks the tenant’s Insights API (its usage query: tkv tenant usage-query) with the tenant’s admin credential, or a stored key that holds Insights.Read, and reads the vault’s own exec runs. Prints the last request seen, requests per hour and the callers, per source; the vault’s own checks are left out. Where a source cannot be asked, it says so: that is no evidence, not zero use.',
    args: [KEY_REF],
    flags: [{ name: 'since', type: 'string', value: 'WINDOW', description: 'how far back: 24h, 7d, 90m (default 45d, all the vendor keeps)' }],
    json: true,
    examples: [{ command: 'tkv key usage acme-prod/crm-sync' }, { command: 'tkv key usage acme-prod/crm-sync --since 24h --json' }],
    load: async () => (await import('./commands/usage.ts')).keyUsage,
  },
  {
    words: ['key', 'replace'],
    summary: 'after a regenerate (Airwallex): check the new key, then switch the entry to it',
    description: 'The new key is read from stdin or a hidden prompt and checked first; the old one is dropped from the keychain only when the new one passes.',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'pbpaste | tkv key replace payments/treasury' }],
    load: async () => (await import('./commands/key.ts')).replace,
  },
  {
    words: ['key', 'remove'],
    summary: 'remove a key and its keychain entry',
    args: [KEY_REF],
    flags: [YES],
    json: true,
    examples: [{ command: 'tkv key remove acme-staging/old --yes' }],
    load: async () => (await import('./commands/key.ts')).remove,
  },
  // ---- checks
  {
    words: ['check'],
    summary: 'check a key against the vendor’s API and say what the answer means (401, 403, or something else)',
    description: [
      'A stored key is checked with the probe its declared scopes call for (a harmless GET); a pasted key',
      '(--key-stdin) is sent once and kept nowhere; --all checks every key, politely, and sums up.',
      'The verdict says whether the answer judges the key (valid, authenticated, unauthorized, forbidden)',
      'or says nothing about it (not found, throttled, server error, a proxy, a timeout…), and what to do.',
    ].join('\n'),
    args: [{ ...KEY_REF, optional: true }],
    flags: [
      { name: 'probe', type: 'string', value: 'ID', description: 'check with this probe instead (tkv probe list)' },
      { name: 'scopes-matrix', type: 'boolean', description: 'try every scope a probe can test, and compare with the declared scopes' },
      { name: 'report', type: 'string', choices: ['md'], description: 'print a Markdown diagnosis for a ticket (the fingerprint, never the key)' },
      { name: 'base-url', type: 'string', value: 'URL', description: 'a pasted key: the API’s address (with --tenant-id and --key-stdin)', secondary: true },
      { name: 'tenant-id', type: 'string', value: 'ID', description: 'a pasted key: its tenant id', secondary: true },
      { name: 'key-stdin', type: 'boolean', description: 'a pasted key: read it from stdin or a hidden prompt', secondary: true },
      { name: 'path', type: 'string', value: 'PATH', description: 'a pasted key: the path to GET instead of a probe', secondary: true },
      { name: 'header', type: 'string', value: 'NAME', description: 'a pasted key: send it in this header (default X-API-KEY)', secondary: true },
      { name: 'auth', type: 'string', choices: ['bearer', 'airwallex'], description: 'a pasted key: send it as a bearer token, or log in with it (Airwallex)', secondary: true },
      { name: 'client-id', type: 'string', value: 'ID', description: 'a pasted Airwallex key: its client id', secondary: true },
      { name: 'login-as', type: 'string', value: 'ACCOUNT', description: 'a pasted Airwallex key: act as this account', secondary: true },
      { name: 'all', type: 'boolean', description: 'check every stored key (or one tenant’s, with --tenant)', secondary: true },
      { ...TENANT_FLAG, description: 'with --all: only this tenant’s keys', secondary: true },
      { name: 'stale', type: 'string', value: 'WINDOW', description: 'with --all: only keys never judged, or last judged longer ago than this (24h, 7d)', secondary: true },
      { name: 'concurrency', type: 'integer', value: 'N', min: 1, max: 256, description: 'with --all: checks at once (default 8)', secondary: true },
      { name: 'per-tenant', type: 'integer', value: 'N', min: 1, max: 256, description: 'with --all: checks at once per tenant (default 4)', secondary: true },
      { name: 'timeout-ms', type: 'integer', value: 'N', min: 100, max: 600_000, description: 'give up on an answer after N ms' },
      { name: 'ca-file', type: 'string', value: 'PEM', description: 'also trust this CA certificate (an intercepting proxy’s)' },
    ],
    json: true,
    forms: [
      'ALIAS/NAME [--probe ID] [--scopes-matrix] [--report md | --json]',
      '--base-url URL --tenant-id ID --key-stdin [--path PATH] [--header NAME | --auth bearer|airwallex [--client-id ID] [--login-as ACCOUNT]] [--report md | --json]',
      '--all [--tenant ALIAS] [--stale WINDOW] [--concurrency N] [--per-tenant N] [--json]',
    ],
    examples: [
      { command: 'tkv check acme-prod/crm-sync' },
      { command: 'tkv check acme-prod/crm-sync --report md > ticket.md', note: 'a redacted diagnosis to attach to a ticket' },
      { command: 'tkv check acme-prod/crm-sync --scopes-matrix' },
      { command: 'pbpaste | tkv check --base-url https://app.neostore.cloud --tenant-id acme --key-stdin', note: 'a key someone sent you, checked without storing it' },
      { command: 'tkv check --all --tenant acme-prod' },
    ],
    exitCodes: '0 valid (or authenticated), 10 unauthorized (401), 11 forbidden (403), 13 inconclusive (the endpoint accepted a key that cannot exist), 12 anything else that is not valid, 1 the check could not run, 2 usage error. With --all, the first of 10, 11, 13, 12 that any key got.',
    // A pasted key is checked without the vault.
    vault: (parsed) => (parsed.values['base-url'] !== undefined ? 'none' : 'refuse'),
    load: async () => (await import('./commands/check.ts')).checkCommand,
  },
  // ---- probes
  {
    words: ['probe', 'list'],
    summary: 'the probes checks choose from: request, scope, and what the answer may carry',
    args: [],
    flags: [{ name: 'vendor', type: 'string', choices: ['wallet-crew', 'airwallex', 'generic'], description: 'whose probes (default wallet-crew)' }],
    json: true,
    examples: [{ command: 'tkv probe list' }],
    load: async () => (await import('./commands/probe.ts')).list,
  },
  {
    words: ['probe', 'add'],
    summary: 'add a probe of your own: a harmless GET that needs a scope no built-in probe tests',
    args: [{ name: 'ID', description: 'the probe’s name (letters, digits, . _ -)' }],
    flags: [
      { name: 'path', type: 'string', value: '/api/{tenantId}/…', required: true, description: 'what to GET; {tenantId} is replaced by the tenant’s id' },
      { name: 'scope', type: 'string', value: 'SCOPE', description: 'the scope it needs' },
      { name: 'method', type: 'string', choices: ['GET', 'HEAD'], description: 'the method (default GET)' },
      { name: 'risk', type: 'string', choices: ['none', 'low', 'medium', 'high'], description: 'what its answer may carry (default low)' },
      { name: 'vendor', type: 'string', choices: ['wallet-crew', 'airwallex', 'generic'], description: 'whose API (default wallet-crew)' },
      { name: 'description', type: 'string', value: 'TEXT', description: 'what it returns' },
    ],
    json: true,
    examples: [{ command: "tkv probe add webhooks-count --path '/api/{tenantId}/webhooks?pageSize=1' --scope Webhook.Read --risk low" }],
    load: async () => (await import('./commands/probe.ts')).add,
  },
  {
    words: ['probe', 'remove'],
    summary: 'remove a probe of your own',
    args: [{ name: 'ID', description: 'the probe’s name' }],
    flags: [],
    json: true,
    examples: [{ command: 'tkv probe remove webhooks-count' }],
    load: async () => (await import('./commands/probe.ts')).remove,
  },
  // ---- server keys
  {
    words: ['remote', 'list'],
    summary: 'the tenant’s keys on the server beside the vault’s, with the drift both ways',
    args: [TENANT],
    flags: [{ name: 'offline', type: 'boolean', description: 'show the last listing kept, without asking the server' }],
    json: true,
    examples: [{ command: 'tkv remote list acme-prod' }, { command: 'tkv remote list acme-prod --offline' }],
    load: async () => (await import('./commands/remote.ts')).list,
  },
  {
    words: ['remote', 'get'],
    summary: 'one key as the server has it: enabled or not, its permissions, the vault entry using it',
    args: [KEY_REF],
    flags: [],
    json: true,
    examples: [{ command: 'tkv remote get acme-prod/crm-sync' }],
    load: async () => (await import('./commands/remote.ts')).get,
  },
  {
    words: ['remote', 'create'],
    summary: 'create a key on the server; its token goes straight to the keychain',
    args: [KEY_REF],
    flags: [
      SCOPES,
      { name: 'like', type: 'string', value: 'ALIAS/OTHER', description: 'the same permissions as this stored key', completes: 'key' },
      { name: 'disabled', type: 'boolean', description: 'create it disabled' },
      { name: 'show-token', type: 'boolean', description: 'if the keychain refuses the token, show it once on the terminal instead of deleting the key' },
    ],
    json: true,
    forms: ['ALIAS/NAME (--scopes a,b | --like ALIAS/OTHER) [--disabled] [--show-token] [--json]'],
    examples: [{ command: 'tkv remote create acme-prod/reports --scopes Insights.Read' }, { command: 'tkv remote create acme-prod/crm-sync-2 --like acme-prod/crm-sync --disabled' }],
    load: async () => (await import('./commands/remote.ts')).create,
  },
  {
    words: ['remote', 'update'],
    summary: 'enable, disable, or change the permissions of a key on the server',
    args: [KEY_REF],
    flags: [{ name: 'enable', type: 'boolean', description: 'enable it' }, { name: 'disable', type: 'boolean', description: 'disable it (it answers 401 until enabled)' }, { ...SCOPES, description: 'its permissions, replacing the old ones' }],
    json: true,
    examples: [{ command: 'tkv remote update acme-prod/reports --disable' }, { command: 'tkv remote update acme-prod/reports --scopes Insights.Read,Pass.Read' }],
    load: async () => (await import('./commands/remote.ts')).update,
  },
  {
    words: ['remote', 'delete'],
    summary: 'delete a key on the server (it stops working at once) and its vault entry',
    args: [KEY_REF],
    flags: [YES],
    json: true,
    examples: [{ command: 'tkv remote delete acme-prod/reports' }],
    load: async () => (await import('./commands/remote.ts')).remove,
  },
  // ---- rotation
  {
    words: ['rotate'],
    summary: 'rotate a key: a new key with the same permissions, an overlap, then the old one retired',
    description: [
      'Starting creates the new key on the server, checks it, and switches the entry to it; both keys work',
      'until --finish disables (or deletes) the old one. Every step is journaled: --resume carries an',
      'interrupted rotation on, --abort goes back to the old key and deletes the new one. During the',
      'overlap, --usage shows both keys’ requests in the vendor’s logs; --finish asks first while the old',
      'key had a request within the last hour, and names it.',
    ].join('\n'),
    args: [{ ...KEY_REF, optional: true }],
    flags: [
      { name: 'new-name', type: 'string', value: 'NAME', description: 'the new key’s name on the server (default: the old name and today’s date)' },
      { name: 'finish', type: 'boolean', description: 'retire the old key: the new one is in use everywhere' },
      { name: 'retire', type: 'string', choices: ['disable', 'delete'], description: 'with --finish: how (default disable)' },
      { name: 'resume', type: 'boolean', description: 'carry on an interrupted rotation from its last recorded step' },
      { name: 'abort', type: 'boolean', description: 'go back to the old key; the new one is deleted' },
      { name: 'journal', type: 'boolean', description: 'show the rotation’s journal' },
      { name: 'usage', type: 'boolean', description: 'the old and the new key’s use since the rotation began (the vendor’s logs)' },
      { name: 'status', type: 'boolean', description: 'the rotations in progress' },
      { name: 'all', type: 'boolean', description: 'with --status: finished ones too' },
      YES,
    ],
    json: true,
    forms: ['ALIAS/NAME [--new-name NAME] [--json]', 'ALIAS/NAME --finish [--retire disable|delete] [--yes] [--json]', 'ALIAS/NAME (--resume | --abort | --journal | --usage) [--json]', '--status [--all] [--json]'],
    examples: [{ command: 'tkv rotate acme-prod/crm-sync' }, { command: 'tkv rotate acme-prod/crm-sync --usage', note: 'is the old key still used?' }, { command: 'tkv rotate acme-prod/crm-sync --finish --retire delete' }, { command: 'tkv rotate --status' }],
    load: async () => (await import('./commands/rotate.ts')).rotateCommand,
  },
  {
    words: ['watch'],
    summary: 'one scheduled round: re-check stale keys, then list what needs a person (exit 14 when something does)',
    description: [
      'Checks the keys whose last judgement is older than --stale (a bulk run, gently: 4 at once, 2 per tenant),',
      'then lists keys refused by the server (401 or 403), inconclusive, expired or expiring within',
      '--expiring-days, and rotations whose overlap has been open --overlap-days or more. Exit 0: nothing',
      'needs a person; 14: something does (listed); 1: no key could be checked. For machines without the app:',
      'schedule it with cron, a systemd timer or launchd (the README has each).',
    ].join('\n'),
    args: [],
    flags: [
      { name: 'once', type: 'boolean', description: 'run one round and exit (the only mode: a scheduler runs the next)' },
      { name: 'stale', type: 'string', value: 'WINDOW', description: 'check keys not judged within this window (default 24h)' },
      { name: 'expiring-days', type: 'integer', value: 'N', min: 0, max: 365, description: 'list keys that expire within N days (default 7)' },
      { name: 'overlap-days', type: 'integer', value: 'N', min: 1, max: 365, description: 'list rotations whose overlap has been open N days or more (default 7)' },
    ],
    json: true,
    forms: ['--once [--stale WINDOW] [--expiring-days N] [--overlap-days N] [--json]'],
    examples: [{ command: 'tkv watch --once' }, { command: '0 8 * * * tkv watch --once --json >> ~/tkv-watch.log', note: 'a crontab line: every morning at 8' }],
    load: async () => (await import('./commands/watch.ts')).watch,
  },
  // ---- review and audit
  {
    words: ['review'],
    summary: 'review the inventory offline: what is at risk, who owns it, what changed since the sign-off',
    args: [],
    flags: [
      TENANT_FLAG,
      { name: 'fail-on', type: 'string', choices: ['warning', 'critical'], description: 'exit 20 when a key is flagged at this level or above (default warning)' },
      { name: 'all', type: 'boolean', description: 'show notes (info flags) too' },
    ],
    json: true,
    examples: [{ command: 'tkv review' }, { command: 'tkv review --fail-on critical --json', note: 'in a scheduled job' }],
    exitCodes: '0 nothing flagged at --fail-on or above, 20 something is.',
    load: async () => (await import('./commands/review.ts')).review,
  },
  {
    words: ['review', 'export'],
    summary: 'export the review: csv, json, md or html, with no secret in it',
    args: [],
    flags: [
      { name: 'format', type: 'string', choices: ['csv', 'json', 'md', 'html'], required: true, description: 'the format' },
      TENANT_FLAG,
      { name: 'out', type: 'string', value: 'FILE', description: 'write it there (readable by you only) instead of printing it' },
    ],
    json: false,
    examples: [{ command: 'tkv review export --format html --out review.html' }],
    load: async () => (await import('./commands/review.ts')).reviewExport,
  },
  {
    words: ['review', 'sign'],
    summary: 'sign the review off: who looked, when, and a digest of what they saw',
    args: [],
    flags: [{ name: 'reviewer', type: 'string', value: 'NAME', required: true, description: 'who signs' }, { name: 'note', type: 'string', value: 'TEXT', description: 'a note kept with the sign-off' }],
    json: true,
    examples: [{ command: 'tkv review sign --reviewer "Ada Lovelace" --note "Q4 review"' }],
    load: async () => (await import('./commands/review.ts')).sign,
  },
  {
    words: ['audit'],
    summary: 'the audit log: who added, revealed, copied, checked, rotated or removed what, and when',
    args: [],
    flags: [
      { name: 'key', type: 'string', value: 'ALIAS/NAME', description: 'only this key’s entries', completes: 'key' },
      { name: 'action', type: 'string', value: 'ACTION', description: 'only this action (added, revealed, copied, validated, …)' },
      { name: 'since', type: 'string', value: 'DATE', description: 'only entries from this date or time on' },
      { name: 'limit', type: 'integer', value: 'N', min: 0, max: 1_000_000, description: 'at most N entries, newest first (0: all)' },
      { name: 'csv', type: 'boolean', description: 'print CSV instead of a table' },
    ],
    json: true,
    examples: [{ command: 'tkv audit --key acme-prod/crm-sync' }, { command: 'tkv audit --action revealed --since 2026-11-01 --csv > reveals.csv' }],
    load: async () => (await import('./commands/review.ts')).audit,
  },
  {
    words: ['audit', 'verify'],
    summary: 'check the audit log’s hash chain: no entry edited, inserted or removed',
    args: [],
    flags: [],
    json: true,
    examples: [{ command: 'tkv audit verify' }],
    exitCodes: '0 the chain holds, 1 it is broken.',
    load: async () => (await import('./commands/review.ts')).verify,
  },
  // ---- using keys
  {
    words: ['exec'],
    summary: 'run a program with keys in its environment, never in a file, argv or shell history',
    description: [
      'For each key (in the order given), these variables are set; NAME is the key’s name in capitals,',
      'with anything but letters and digits as "_":',
      '  NAME_API_KEY     the key (or the variable named with --env, one per key, in order)',
      '  NAME_BASE_URL    the tenant’s base URL',
      '  NAME_TENANT_ID   the tenant id',
      'An Airwallex key is exchanged at its login endpoint first: the program gets NAME_TOKEN, the',
      'short-lived bearer token, never the key. What the program writes to a pipe or a file has every',
      'key replaced by <concealed by tkv>, in its encoded forms too (percent, JSON, HTML, hex, base64',
      'wrapped or not); a terminal gets the output untouched. A key that expired, or that the server',
      'refused (401) at its last check, is refused unless --force. tkv exits with the program’s code.',
    ].join('\n'),
    args: [{ ...KEY_REF, variadic: true }],
    flags: [
      { name: 'env', type: 'string', value: 'VAR', multiple: true, description: 'the variable for the key, instead of NAME_API_KEY (one per key, in order)' },
      { name: 'header-env', type: 'string', value: 'VAR', multiple: true, description: 'also set VAR to a ready header line: "X-API-KEY: <key>" (Airwallex: "Authorization: Bearer <token>")' },
      { name: 'dry-run', type: 'boolean', description: 'print the variables’ names and what they hold, never the values; run nothing' },
      { name: 'no-masking', type: 'boolean', description: 'pass the program’s output through as it is' },
      { name: 'force', type: 'boolean', description: 'hand over a key that expired or was refused at its last check' },
    ],
    json: true,
    takesCommand: true,
    examples: [
      { command: 'tkv exec acme-prod/crm-sync -- ./sync.sh', note: 'sync.sh reads $CRM_SYNC_API_KEY, $CRM_SYNC_BASE_URL, $CRM_SYNC_TENANT_ID' },
      { command: 'tkv exec acme-prod/crm-sync --header-env AUTH -- sh -c \'curl -H "$AUTH" "$CRM_SYNC_BASE_URL/api/$CRM_SYNC_TENANT_ID/admin/config"\'' },
      { command: 'tkv exec acme-prod/crm-sync --dry-run' },
    ],
    exitCodes: 'the program’s own; 1 tkv could not start it, 2 usage error.',
    load: async () => (await import('./commands/exec.ts')).execCommand,
  },
  {
    words: ['import'],
    summary: 'import keys from a .env file or a CSV into the keychain, then remind you to delete the file',
    description: [
      'A .env file: VAR=VALUE lines (quotes, export and comments understood). Only variables that look',
      'like this vendor’s keys are taken (named *_API_KEY, *_KEY or *_TOKEN, or holding a 64-character',
      'key); the rest are listed as skipped — --all takes every variable. A variable ORDERS_API_KEY',
      'becomes the key "orders", which tkv exec gives back as ORDERS_API_KEY.',
      'A CSV: a header row with name,key and optionally scopes,expires,owner,notes.',
      'Values are never printed; a malformed line is named by its number. tkv never deletes the file.',
    ].join('\n'),
    args: [{ name: 'FILE', description: 'the .env or CSV file', completes: 'file' }],
    flags: [
      { ...TENANT_FLAG, required: true, description: 'the tenant the keys belong to' },
      { name: 'format', type: 'string', choices: ['env', 'csv'], description: 'the file’s format (default: from its name and content)' },
      { name: 'all', type: 'boolean', description: 'a .env file: take every variable, not only those that look like keys' },
      { name: 'dry-run', type: 'boolean', description: 'say what would be stored and skipped; store nothing' },
    ],
    json: true,
    examples: [{ command: 'tkv import .env --tenant acme-prod --dry-run' }, { command: 'tkv import keys.csv --tenant acme-prod' }],
    exitCodes: '0 every key stored (or, with --dry-run, would be), 3 some stored and some refused (each named), 1 none stored, 2 usage error.',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  // ---- the vault itself
  {
    words: ['reconcile'],
    summary: 'compare the keychain with the inventory; with --remove-orphans, delete this vault’s stray entries',
    args: [],
    flags: [{ name: 'remove-orphans', type: 'boolean', description: 'delete keychain entries of this vault that no key refers to' }, YES],
    json: true,
    examples: [{ command: 'tkv reconcile' }, { command: 'tkv reconcile --remove-orphans' }],
    // Listing what the keychain holds helps after a loss; deleting it does not.
    vault: (parsed) => (parsed.values['remove-orphans'] ? 'refuse' : 'look'),
    load: async () => (await import('./commands/system.ts')).reconcileCommand,
  },
  {
    words: ['doctor'],
    summary: 'check the vault’s health: the keychain, the inventory and its backups, the data directory, versions',
    description: 'With --restore, puts the newest backup of the inventory (or the one --backup names) in place of a lost or damaged one; the current file is kept aside, never deleted. Close the app first.',
    args: [],
    flags: [
      { name: 'restore', type: 'boolean', description: 'restore the inventory from its newest backup (or --backup FILE)' },
      { name: 'backup', type: 'string', value: 'FILE', description: 'with --restore: this backup (tkv doctor lists where they are)' },
      YES,
    ],
    json: true,
    examples: [{ command: 'tkv doctor' }, { command: 'tkv doctor --restore', note: 'after "Inventory lost": put the newest backup back' }],
    exitCodes: '0 every check passed (or the restore is done), 1 something needs fixing (each fix is printed once).',
    vault: 'none',
    load: async () => (await import('./commands/system.ts')).doctorCommand,
  },
  {
    words: ['sandbox'],
    summary: 'run the built-in emulator of The Wallet Crew’s API on this computer, until Ctrl-C',
    description: 'It prints its base URL and each tenant’s admin key once, then serves the admin API, the probes and a control API (/_sandbox/) for faults, throttling and more tenants.',
    args: [],
    flags: [
      { name: 'host', type: 'string', value: 'HOST', description: 'where to listen (default 127.0.0.1; anything but loopback is refused)' },
      { name: 'port', type: 'integer', value: 'PORT', min: 0, max: 65_535, description: 'the port (default 0: any free one)' },
      { name: 'state-dir', type: 'string', value: 'DIR', description: 'keep its state here, across restarts (default: a temporary directory)' },
      { name: 'tenants', type: 'string', value: 'a,b', description: 'the tenants to have (default demo,acme)' },
      { name: 'config', type: 'string', value: 'FILE', description: 'start from this configuration (JSON: faults, throttle, authChallenge)' },
      { name: 'fault', type: 'string', value: 'MODES@ROUTE', multiple: true, description: "a fault on a route, e.g. 'latency=200,fail=0.5@GET /api/*/admin/config' (modes: latency=MS, fail=RATE, reset, hang, drop, accept-any-key)" },
      { name: 'throttle', type: 'string', value: 'TARGET=RATE/s', multiple: true, description: "a rate limit, e.g. 'demo=5/s' for a tenant or 'demo/crm=1/s' for a key" },
      { name: 'auth-challenge', type: 'string', choices: ['problem', 'empty'], description: 'how 401 and 403 answer: a ProblemDetails body, or empty with WWW-Authenticate' },
    ],
    json: true,
    examples: [{ command: 'tkv sandbox --port 4010' }, { command: "tkv sandbox --fault 'latency=500@GET /api/*/passes' --throttle 'demo=2/s'" }],
    vault: 'none',
    load: async () => (await import('./commands/sandbox.ts')).sandboxCommand,
  },
  {
    words: ['completion'],
    summary: 'print a completion script for bash, zsh or fish',
    args: [{ name: 'SHELL', description: 'bash, zsh or fish' }],
    flags: [],
    json: false,
    examples: [{ command: 'source <(tkv completion bash)', note: 'in ~/.bashrc' }, { command: 'tkv completion fish > ~/.config/fish/completions/tkv.fish' }],
    vault: 'none',
    load: async () => (await import('./commands/completion.ts')).completionCommand,
  },
  // ---- for tkv's own use
  {
    words: ['__complete'],
    summary: 'the candidates a completion script asks for',
    args: [{ name: 'WORDS', description: 'what was typed', optional: true, variadic: true }],
    flags: [],
    json: false,
    hidden: true,
    rawArgs: true,
    vault: 'none',
    examples: [],
    load: async () => (await import('./commands/completion.ts')).completeCommand,
  },
  {
    words: ['__clear-clipboard'],
    summary: 'the process tkv key copy leaves behind to clear the clipboard',
    args: [
      { name: 'HASH', description: 'the SHA-256 of what to clear' },
      { name: 'MS', description: 'after how long' },
    ],
    flags: [],
    json: false,
    hidden: true,
    examples: [],
    vault: 'none',
    load: async () => (await import('./commands/key.ts')).clearClipboardLater,
  },
];

/** The command named by the first words of `argv`, and the words after them. */
export function findCommand(argv: string[]): { spec: CommandSpec; args: string[] } | null {
  const [first, second] = argv;
  const two = COMMANDS.find((spec) => spec.words.length === 2 && spec.words[0] === first && spec.words[1] === second);
  if (two) return { spec: two, args: argv.slice(2) };
  const one = COMMANDS.find((spec) => spec.words.length === 1 && spec.words[0] === first);
  return one ? { spec: one, args: argv.slice(1) } : null;
}

/** The subcommands of a group word (`key` → add, list, …), or none. */
export function subcommands(word: string): CommandSpec[] {
  return COMMANDS.filter((spec) => spec.words.length === 2 && spec.words[0] === word && !spec.hidden);
}
