/** `checks:*`: a stored key, a pasted key (never kept), a scope matrix, a bulk check as a job, a report copied. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { VaultError } from '../core/errors.ts';
import { markdownReport } from '../core/checks/report.ts';
import type { BulkSummary } from '../shared/check.ts';
import type { BulkProgressView, CheckView, KeyRef } from '../shared/contract.ts';
import type { Verdict } from '../shared/verdicts.ts';
import { SECRET_MAX_BYTES } from '../shared/rules.ts';
import type { DomainIpc } from './domain.ts';
import type { IpcContext } from './ipc-context.ts';
import { keyRef, name } from './schema-parts.ts';

const probeId = z.string().min(1).max(128);

/** Keeps a check's result for its report to be copied later, and returns it as the renderer sees it. */
export function remember(context: IpcContext, key: KeyRef | null, label: string, result: CheckView['result']): CheckView {
  return context.results.add({ id: randomUUID(), at: new Date().toISOString(), key, label, result });
}

export const checksIpc = {
  'checks:probes': {
    input: z.undefined(),
    handle: (_, { services }) =>
      services.checks.probes('wallet-crew').map((probe) => ({ id: probe.id, method: probe.method, path: probe.path, scope: probe.scope, risk: probe.risk, description: probe.description, custom: probe.custom === true })),
  },
  'checks:run': {
    input: z.strictObject({ key: keyRef, probe: probeId.optional() }),
    handle: async (input, context) => {
      const result = await context.services.checks.checkStored(input.key, input.probe === undefined ? {} : { probeId: input.probe });
      return remember(context, input.key, `${input.key.tenant}/${input.key.name}`, result);
    },
  },
  'checks:paste': {
    input: z.strictObject({
      environment: z.enum(['production', 'staging']).optional(),
      baseUrl: z.string().min(1).max(2048).optional(),
      tenantId: name,
      secret: z.string().min(1).max(SECRET_MAX_BYTES),
      auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('header'), name: z.string().min(1).max(64) }), z.strictObject({ kind: z.literal('bearer') })]).optional(),
      probe: probeId.optional(),
    }),
    handle: async (input, context) => {
      const { target, result } = await context.services.checks.checkPasted(input);
      return remember(context, null, `${target.tenantId} at ${target.baseUrl}`, result);
    },
  },
  'checks:matrix': { input: z.strictObject({ key: keyRef }), handle: (input, { services }) => services.checks.scopeMatrix(input.key) },
  'checks:start-bulk': {
    input: z.strictObject({ tenant: name.optional(), concurrency: z.number().int().min(1).max(64).optional(), perTenant: z.number().int().min(1).max(64).optional() }),
    handle: (input, context) => {
      // An unknown tenant is refused now, not in a job that fails later.
      if (input.tenant !== undefined) context.services.tenants.require(input.tenant);
      return context.services.jobs.start<BulkProgressView, BulkSummary>('bulk-check', async ({ signal, report }) => {
        const byVerdict: Partial<Record<Verdict, number>> = {};
        let failures = 0;
        return context.services.checks.checkAll({
          ...input,
          signal,
          onProgress: ({ done, total, result }) => {
            if (result) byVerdict[result.verdict] = (byVerdict[result.verdict] ?? 0) + 1;
            else failures += 1;
            report({ done, total, byVerdict: { ...byVerdict }, failures });
          },
        });
      });
    },
  },
  'checks:copy-report': {
    input: z.strictObject({ id: z.string().uuid() }),
    handle: async (input, { results, clipboard }) => {
      const view = results.get(input.id);
      if (!view) throw new VaultError('NOT_FOUND', 'That check is no longer kept; run it again to copy its report.');
      await clipboard.writeText(markdownReport(view.result, view.label, new Date(view.at)));
      return { copied: true as const };
    },
  },
} satisfies DomainIpc<'checks'>;
