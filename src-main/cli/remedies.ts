/**
 * The CLI's wording of remedies: the plain sentence every front door shares, and, where a tkv
 * command does it, that command.
 */
import { remedySentence, type Remedy } from '../shared/remedies.ts';
import type { KeyRef } from '../shared/contract.ts';

const ref = (key: KeyRef) => `${key.tenant}/${key.name}`;

/** The tkv command that carries the remedy out, when there is one. */
export function remedyCommand(remedy: Remedy): string | null {
  switch (remedy.code) {
    case 'run-scope-matrix':
      return `tkv check ${ref(remedy.key)} --scopes-matrix`;
    case 'check-with-probe':
      return remedy.key ? `tkv check ${ref(remedy.key)} --probe ${remedy.probe}` : `--probe ${remedy.probe}`;
    case 'grant-scope':
      return remedy.key ? `tkv remote get ${ref(remedy.key)}, then tkv remote update ${ref(remedy.key)} --scopes …,${remedy.scope}` : null;
    case 'add-probe':
      return `tkv probe add ID --path '/api/{tenantId}/…'${remedy.scope ? ` --scope ${remedy.scope}` : ' --scope SCOPE'}`;
    case 'key-held-elsewhere':
      return `tkv check ${ref(remedy.holder)}`;
    case 'previous-key':
      return `tkv key show ${ref(remedy.holder)}`;
    case 'compare-fingerprint':
      return remedy.key ? `tkv key show ${ref(remedy.key)}` : 'tkv key list';
    case 'check-remote-name':
      return remedy.key ? `tkv check ${ref(remedy.key)} --probe config` : '--probe config';
    case 'lower-concurrency':
      return '--concurrency N, --per-tenant N';
    case 'read-evidence':
      return '--report md';
    case 'trust-proxy-ca':
      return '--ca-file PEM';
    case 'raise-timeout':
      return '--timeout-ms N';
    case 'disabled-on-server':
    case 'missing-on-server':
      return null;
    default:
      return null;
  }
}

/** The remedy as the CLI prints it: the sentence, then the command on its own line. */
export function remedyLines(remedy: Remedy, indent = '  '): string {
  const command = remedyCommand(remedy);
  return `${indent}- ${remedySentence(remedy)}${command ? `\n${indent}    ${command}` : ''}`;
}
