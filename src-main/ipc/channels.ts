/** Every channel's entry, domain by domain; the compiler checks that none is missing. */
import { appIpc, vaultIpc } from './app.ipc.ts';
import { checksIpc } from './checks.ipc.ts';
import type { IpcTable } from './domain.ts';
import { jobsIpc } from './jobs.ipc.ts';
import { keysIpc } from './keys.ipc.ts';
import { reviewIpc } from './review.ipc.ts';
import { rotationsIpc } from './rotations.ipc.ts';
import { teamIpc } from './team.ipc.ts';
import { usageIpc, watchIpc } from './usage.ipc.ts';
import { sandboxIpc } from './sandbox.ipc.ts';
import { serverIpc } from './server.ipc.ts';
import { tenantsIpc } from './tenants.ipc.ts';

export const IPC_CHANNELS = { ...appIpc, ...vaultIpc, ...tenantsIpc, ...keysIpc, ...checksIpc, ...jobsIpc, ...serverIpc, ...rotationsIpc, ...sandboxIpc, ...reviewIpc, ...usageIpc, ...watchIpc, ...teamIpc } satisfies IpcTable;
