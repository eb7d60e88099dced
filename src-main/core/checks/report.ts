/** A Markdown diagnosis to paste into a ticket. Never the key: its fingerprint only. */
import type { CheckResult } from '../../shared/check.ts';
import { controlWords, serverWords } from '../../shared/check-words.ts';
import { remedySentence } from '../../shared/remedies.ts';
import type { ScopeMatrix } from './check-service.ts';

export function markdownReport(result: CheckResult, label: string, at: Date = new Date()): string {
  const lines = [
    `# Key check: ${label}`,
    '',
    `- **Verdict:** \`${result.verdict}\` — ${result.summary}`,
    `- **Request:** \`${result.request.method} ${result.request.url}\``,
    `- **Status:** ${result.status ?? `no response (${result.failureCode ?? 'unknown'})`}`,
    `- **Probe:** ${result.probe.id} (scope ${result.probe.scope ? `\`${result.probe.scope}\`` : 'unknown'}, payload risk ${result.probe.risk})`,
    `- **Key fingerprint:** \`${result.key.fingerprint}\` (SHA-256 prefix; the key itself is not in this report)`,
    `- **Duration:** ${result.durationMs} ms, at ${at.toISOString()}`,
    ...(result.retryAfterSeconds !== null ? [`- **Retry after:** ${result.retryAfterSeconds} s`] : []),
    ...(result.location ? [`- **Redirect target (not followed):** ${result.location}`] : []),
    ...(result.control ? [`- **Negative control:** ${controlWords(result.control)}`] : []),
    ...(result.server ? [`- **Server's word:** ${serverWords(result.server)}`] : []),
    '',
    '## Next steps',
    '',
    // Each step in the plain words both front doors share: a ticket's reader has neither tkv nor the app at hand.
    ...result.nextSteps.map((step, index) => `${index + 1}. ${remedySentence(step)}`),
  ];
  if (result.problem) {
    lines.push('', '## Problem details', '', '```json', JSON.stringify(result.problem, null, 2), '```');
  }
  const headers = Object.entries(result.evidence.headers);
  if (headers.length > 0) {
    lines.push('', '## Response headers (allowlisted)', '', ...headers.map(([name, value]) => `- \`${name}: ${value}\``));
  }
  if (result.evidence.bodyExcerpt !== null) {
    lines.push('', `## Body excerpt (${result.bodyKind ?? 'unknown kind'}, capped, secrets redacted)`, '', '```', result.evidence.bodyExcerpt.replace(/```/g, "'''"), '```');
  } else if (result.status !== null && result.bodyKind !== 'empty') {
    lines.push('', `_The body is not shown: the ${result.probe.id} probe's answers may carry secrets or personal data._`);
  }
  return `${lines.join('\n')}\n`;
}

export function markdownMatrix(matrix: ScopeMatrix, label: string): string {
  const lines = [
    `# Scope matrix: ${label}`,
    '',
    `Key fingerprint \`${matrix.key.fingerprint}\`.`,
    '',
    '| scope | state | declared | probe | note |',
    '|---|---|---|---|---|',
    ...matrix.scopes.map((s) => `| \`${s.scope}\` | ${s.state} | ${s.declared ? 'yes' : 'no'} | ${s.probe ?? '-'} | ${s.note ?? ''} |`),
    '',
    `- Declared but denied: ${matrix.missing.length ? matrix.missing.map((s) => `\`${s}\``).join(', ') : 'none'}`,
    `- Granted but not declared: ${matrix.undeclared.length ? matrix.undeclared.map((s) => `\`${s}\``).join(', ') : 'none'}`,
  ];
  if (matrix.inconclusive.length > 0) lines.push(`- Proved nothing (inconclusive): ${matrix.inconclusive.map((s) => `\`${s}\``).join(', ')}`);
  if (matrix.control) lines.push(`- Negative control: ${controlWords(matrix.control)}`);
  if (matrix.stoppedBy) lines.push(`- Stopped early: ${matrix.stoppedBy.summary}`);
  return `${lines.join('\n')}\n`;
}
