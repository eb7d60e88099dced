/** `review:*` and `audit:*`: the offline review, its exports and sign-off; the audit log. */
import { z } from 'zod';
import { auditExport, reviewExport } from '../core/review/export.ts';
import type { AuditQuery } from '../shared/contract.ts';
import type { DomainIpc } from './domain.ts';
import { keyRef, name, none } from './schema-parts.ts';

const days = z.number().int().min(1).max(36_500);
const auditQuery = z.strictObject({
  key: keyRef.optional(),
  action: z.string().min(1).max(64).optional(),
  since: z.string().min(1).max(40).optional(),
  search: z.string().max(200).optional(),
});
const stamp = () => new Date().toISOString().slice(0, 10);

export const reviewIpc = {
  'review:report': { input: z.strictObject({ tenant: name.optional() }), handle: (input, { services }) => services.review.report(input) },
  'review:settings': { input: none, handle: (_, { services }) => services.review.settings() },
  'review:set-settings': {
    input: z.strictObject({ expiringDays: z.array(days).max(20).optional(), staleCheckDays: days.optional(), snapshotStaleDays: days.optional(), rotationPolicyDays: days.optional(), unusedDays: days.optional() }),
    handle: (input, { services }) => services.review.setSettings(input),
  },
  'review:sign': {
    input: z.strictObject({ reviewer: z.string().min(1).max(200), note: z.string().max(2000).optional() }),
    handle: (input, { services }) => services.review.sign(input),
  },
  'review:export': {
    input: z.strictObject({ format: z.enum(['csv', 'json', 'md', 'html']), tenant: name.optional() }),
    handle: async (input, { services, saveFile }) => {
      const report = await services.review.report(input.tenant === undefined ? {} : { tenant: input.tenant });
      const content = reviewExport(report, input.format);
      const path = await saveFile(`key-review-${stamp()}.${input.format}`, content);
      if (path !== null) services.audit.record('exported', { ...(input.tenant ? { tenant: input.tenant } : {}), detail: { what: 'review', format: input.format, keys: report.keys.length, digest: report.digest } });
      return { path, bytes: Buffer.byteLength(content) };
    },
  },
  'audit:list': {
    input: z.strictObject({ query: auditQuery, offset: z.number().int().min(0).max(10_000_000), limit: z.number().int().min(1).max(500) }),
    handle: (input, { services }) => services.audit.page(input.query as AuditQuery, input.offset, input.limit),
  },
  'audit:verify': { input: none, handle: (_, { services }) => services.audit.verify() },
  'audit:export': {
    input: z.strictObject({ query: auditQuery, format: z.enum(['csv', 'json']) }),
    handle: async (input, { services, saveFile }) => {
      const entries = services.audit.all(input.query as AuditQuery);
      const content = auditExport(entries, input.format);
      const path = await saveFile(`audit-log-${stamp()}.${input.format}`, content);
      if (path !== null) services.audit.record('exported', { detail: { what: 'audit log', format: input.format, entries: entries.length } });
      return { path, bytes: Buffer.byteLength(content) };
    },
  },
} satisfies DomainIpc<'review'> & DomainIpc<'audit'>;
