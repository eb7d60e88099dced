/**
 * The review and the audit log as files to hand over: CSV, JSON, Markdown, and one self-contained,
 * printable HTML page with its charts (inline SVG, a CSP that allows no network and no script).
 * Built from the review report alone, which holds no secret and no keychain account.
 */
import { judgementState, judgementStateWords } from '../../shared/verdicts.ts';
import { count } from '../../shared/words.ts';
import type { AuditRecord, ChartBar, ExportFormat, ReviewReport, ReviewedKey } from '../../shared/contract.ts';
import { layoutBars } from './svg-chart.ts';
import { remedySentence } from '../../shared/remedies.ts';

const KEY_COLUMNS: [header: string, cell: (key: ReviewedKey) => string][] = [
  ['tenant', (key) => key.tenant],
  ['name', (key) => key.name],
  ['environment', (key) => key.environment],
  ['server name', (key) => key.remoteName],
  ['owner', (key) => key.owner ?? ''],
  ['scopes', (key) => key.scopes.join(' ')],
  ['admin', (key) => (key.admin ? 'yes' : 'no')],
  ['enabled', (key) => (key.enabled ? 'yes' : 'no')],
  ['fingerprint', (key) => key.fingerprint],
  ['created', (key) => key.createdAt],
  ['rotated', (key) => key.rotatedAt ?? ''],
  ['expires', (key) => key.expiresOn ?? ''],
  ['last judgement', (key) => judgementState(key.lastJudgement, key.lastCheckedAt)],
  ['judged at', (key) => key.lastJudgedAt ?? ''],
  ['last checked', (key) => key.lastCheckedAt ?? ''],
  ['last used', (key) => usageText(key)],
  ['drift', (key) => driftText(key)],
  ['severity', (key) => key.severity ?? ''],
  ['flags', (key) => key.flags.map((flag) => flag.code).join(' ')],
  ['reasons', (key) => key.flags.map((flag) => flag.reason).join(' | ')],
  ['notes', (key) => key.notes ?? ''],
];

/** The key's last known use, where it came from; no evidence said as such, never as no use. */
export function usageText(key: ReviewedKey): string {
  if (key.lastUsedAt) return `${key.lastUsedAt.slice(0, 16).replace('T', ' ')} UTC (${key.lastUsedSource === 'exec' ? 'an exec run' : 'vendor logs'})`;
  if (key.usageKnownSince) return `none seen since ${key.usageKnownSince.slice(0, 10)} (vendor logs)`;
  return 'unknown (no evidence)';
}

function driftText(key: ReviewedKey): string {
  if (!key.drift) return 'unknown (no snapshot)';
  if (!key.drift.onServer) return `missing on server (${key.drift.snapshotAt.slice(0, 10)})`;
  const parts = [key.drift.permissionsDiffer ? 'permissions differ' : '', key.drift.enabledDiffers ? 'enabled state differs' : ''].filter(Boolean);
  return parts.length ? `${parts.join(', ')} (${key.drift.snapshotAt.slice(0, 10)})` : `none (${key.drift.snapshotAt.slice(0, 10)})`;
}

/** One CSV cell: quoted when needed, and a leading = + - @ defused so a spreadsheet never runs it. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvLine = (cells: string[]) => `${cells.map(csvCell).join(',')}\n`;

export function reviewExport(report: ReviewReport, format: ExportFormat): string {
  switch (format) {
    case 'csv':
      return csvLine(KEY_COLUMNS.map(([header]) => header)) + report.keys.map((key) => csvLine(KEY_COLUMNS.map(([, cell]) => cell(key)))).join('');
    case 'json':
      return `${JSON.stringify({ format: 'tkv-review/1', ...forExport(report) }, null, 2)}\n`;
    case 'md':
      return markdown(report);
    case 'html':
      return html(report);
  }
}

/**
 * The report without what only the app uses: a key's id (the keychain account of its first secret)
 * and the table filters of flags and chart bars (lists of those ids).
 */
function forExport(report: ReviewReport) {
  const bars = (list: ChartBar[]) => list.map(({ label, value }) => ({ label, value }));
  return {
    ...report,
    summary: { ...report.summary, perFlag: report.summary.perFlag.map(({ query: _, ...flag }) => flag) },
    keys: report.keys.map(({ id: _, ...key }) => key),
    charts: { verdicts: bars(report.charts.verdicts), expiry: bars(report.charts.expiry), age: bars(report.charts.age), scopes: bars(report.charts.scopes) },
  };
}

const md = (text: string) => text.replace(/[\\`*_[\]|<>]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');

function markdown(report: ReviewReport): string {
  const { summary } = report;
  const lines = [
    `# Key inventory review${report.tenant ? ` — ${md(report.tenant)}` : ''}`,
    '',
    `Generated ${report.generatedAt} from the vault alone (no network). ${count(summary.keys, 'key')}, ${summary.flagged} flagged: ${summary.perSeverity.critical} critical, ${summary.perSeverity.warning} warning, ${summary.perSeverity.info} info only.`,
    `Digest of what was reviewed: \`${report.digest}\`.`,
    report.lastSignOff ? `Last sign-off: ${md(report.lastSignOff.reviewer)} on ${report.lastSignOff.at}${report.changes?.unchanged ? ' — nothing changed since.' : '.'}` : 'Never signed off.',
    '',
    '## Keys per tenant',
    '',
    '| tenant | environment | keys | flagged | last server listing |',
    '|---|---|---:|---:|---|',
    ...summary.perTenant.map((tenant) => `| ${md(tenant.tenant)}${tenant.sandbox ? ' (sandbox)' : ''} | ${tenant.environment} | ${tenant.keys} | ${tenant.flagged} | ${tenant.snapshotAt ?? 'never'} |`),
    '',
    '## Flags',
    '',
    '| flag | severity | keys |',
    '|---|---|---:|',
    ...summary.perFlag.map((flag) => `| ${flag.code} | ${flag.severity} | ${flag.keys} |`),
    '',
    '## Flagged keys, most severe first',
    '',
  ];
  for (const key of report.keys.filter((candidate) => candidate.flags.length > 0)) {
    lines.push(`### ${md(`${key.tenant}/${key.name}`)} — ${key.severity ?? 'not flagged'}`, '');
    lines.push(`Owner: ${md(key.owner ?? 'nobody recorded')} · scopes: ${md(key.scopes.join(', ') || 'none')} · last judgement: ${judgementStateWords(judgementState(key.lastJudgement, key.lastCheckedAt))} · last used: ${md(usageText(key))} · drift: ${md(driftText(key))}`, '');
    for (const flag of key.flags) lines.push(`- **${flag.severity}** ${flag.code}: ${md(flag.reason)}${flag.remedies.length ? ` — ${md(flag.remedies.map(remedySentence).join(' '))}` : ''}`);
    lines.push('');
  }
  if (report.findings.length) {
    lines.push('## Outside the vault', '');
    for (const finding of report.findings) lines.push(`- **${finding.severity}** ${finding.code}: ${md(finding.reason)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** `scope` in a reason, as code on the page (the text is escaped first). */
const code = (escaped: string) => escaped.replace(/`([^`]+)`/g, '<code>$1</code>');
const esc = (text: string) => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** A chart as inline SVG, with its numbers as a table for screen readers and print. */
function svgChart(title: string, bars: ChartBar[], orientation: 'rows' | 'columns'): string {
  const width = 520;
  const labelWidth = orientation === 'rows' ? 150 : 0;
  const height = orientation === 'rows' ? Math.max(40, bars.length * 20) : 140;
  const layout = layoutBars(bars, { width: width - labelWidth - 40, height, orientation });
  const shapes = layout
    .map((bar) =>
      orientation === 'rows'
        ? `<text x="${labelWidth - 6}" y="${(bar.y + bar.height / 2 + 4).toFixed(1)}" text-anchor="end">${esc(bar.label)}</text><rect x="${labelWidth}" y="${bar.y.toFixed(1)}" width="${bar.width.toFixed(1)}" height="${bar.height.toFixed(1)}"/><text x="${(labelWidth + bar.width + 4).toFixed(1)}" y="${(bar.y + bar.height / 2 + 4).toFixed(1)}">${bar.value}</text>`
        : `<rect x="${bar.x.toFixed(1)}" y="${bar.y.toFixed(1)}" width="${bar.width.toFixed(1)}" height="${bar.height.toFixed(1)}"><title>${esc(bar.label)}: ${bar.value}</title></rect>`,
    )
    .join('');
  const rows = bars.map((bar) => `<tr><th scope="row">${esc(bar.label)}</th><td>${bar.value}</td></tr>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height + 4}" width="${width}" height="${height + 4}">${shapes}</svg><details><summary>Numbers</summary><table>${rows}</table></details></figure>`;
}

function html(report: ReviewReport): string {
  const { summary } = report;
  const flagged = report.keys.filter((key) => key.flags.length > 0);
  const keyRows = flagged
    .map(
      (key) =>
        `<tr class="${key.severity ?? 'none'}"><th scope="row">${esc(`${key.tenant}/${key.name}`)}</th><td>${esc(key.owner ?? '—')}</td><td>${esc(judgementStateWords(judgementState(key.lastJudgement, key.lastCheckedAt)))}</td><td>${esc(usageText(key))}</td><td>${esc(driftText(key))}</td><td><ul>${key.flags.map((flag) => `<li><b>${flag.severity}</b> ${code(esc(flag.reason))}</li>`).join('')}</ul></td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Key inventory review${report.tenant ? ` — ${esc(report.tenant)}` : ''}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#1b1f27;margin:24px;max-width:1000px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #d9dde4}
.critical th{color:#98181a}.warning th{color:#7a4f00}
figure{margin:12px 0;break-inside:avoid}figcaption{font-weight:600;margin-bottom:4px}
svg rect{fill:#2f4aa0}svg text{font-size:11px;fill:#1b1f27}
ul{margin:0;padding-left:16px}.summary td{font-variant-numeric:tabular-nums}
@media print{details{display:none}body{margin:0}}
</style>
</head>
<body>
<h1>Key inventory review${report.tenant ? ` — ${esc(report.tenant)}` : ''}</h1>
<p>Generated ${esc(report.generatedAt)} from the vault alone (no network). <b>${summary.keys}</b> keys, <b>${summary.flagged}</b> flagged: ${summary.perSeverity.critical} critical, ${summary.perSeverity.warning} warning, ${summary.perSeverity.info} info only. Digest <code>${report.digest}</code>.
${report.lastSignOff ? `Last sign-off by ${esc(report.lastSignOff.reviewer)} on ${esc(report.lastSignOff.at)}.` : 'Never signed off.'}</p>
<h2>Keys per tenant</h2>
<table class="summary"><thead><tr><th>tenant</th><th>environment</th><th>keys</th><th>flagged</th><th>last server listing</th></tr></thead><tbody>
${summary.perTenant.map((tenant) => `<tr><th scope="row">${esc(tenant.tenant)}${tenant.sandbox ? ' (sandbox)' : ''}</th><td>${tenant.environment}</td><td>${tenant.keys}</td><td>${tenant.flagged}</td><td>${esc(tenant.snapshotAt ?? 'never')}</td></tr>`).join('')}
</tbody></table>
<h2>Flags</h2>
<table class="summary"><thead><tr><th>flag</th><th>severity</th><th>keys</th></tr></thead><tbody>
${summary.perFlag.map((flag) => `<tr><th scope="row">${flag.code}</th><td>${flag.severity}</td><td>${flag.keys}</td></tr>`).join('')}
</tbody></table>
<h2>Charts</h2>
${svgChart('Keys by last judgement', report.charts.verdicts, 'rows')}
${svgChart('Expiry timeline: expired, then each week of the next 12 months', report.charts.expiry, 'columns')}
${svgChart('Age since created or last rotated', report.charts.age, 'rows')}
${svgChart('Scopes by number of keys holding them', report.charts.scopes, 'rows')}
<h2>Flagged keys, most severe first</h2>
<table><thead><tr><th>key</th><th>owner</th><th>last judgement</th><th>last used</th><th>drift</th><th>flags</th></tr></thead><tbody>
${keyRows}
</tbody></table>
${report.findings.length ? `<h2>Outside the vault</h2><ul>${report.findings.map((finding) => `<li><b>${finding.severity}</b> ${esc(finding.reason)}</li>`).join('')}</ul>` : ''}
</body>
</html>
`;
}

const AUDIT_COLUMNS: [header: string, cell: (entry: AuditRecord) => string][] = [
  ['id', (entry) => String(entry.id)],
  ['at', (entry) => entry.at],
  ['actor', (entry) => entry.actor],
  ['action', (entry) => entry.action],
  ['tenant', (entry) => entry.tenant ?? ''],
  ['key', (entry) => entry.keyName ?? ''],
  ['fingerprint', (entry) => entry.fingerprint ?? ''],
  ['detail', (entry) => (entry.detail ? JSON.stringify(entry.detail) : '')],
];

export function auditExport(entries: AuditRecord[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify({ format: 'tkv-audit/1', entries }, null, 2)}\n`;
  return csvLine(AUDIT_COLUMNS.map(([header]) => header)) + entries.map((entry) => csvLine(AUDIT_COLUMNS.map(([, cell]) => cell(entry)))).join('');
}
