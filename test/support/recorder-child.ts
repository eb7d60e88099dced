/**
 * A process that records a bulk run's checks until it is killed, for the crash test of CheckRecorder:
 *
 *   node recorder-child.ts INVENTORY_FILE KEY_ID...
 *
 * Check i goes to key i mod n, stamped 2026-11-22T10:00:00.000Z plus i ms. Prints "ready" once
 * several batches have committed, then goes on recording until it is killed.
 */
import path from 'node:path';
import { MemorySecretStore } from '../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../src-main/core/services.ts';

const [file, ...keyIds] = process.argv.slice(2);
if (!file || keyIds.length === 0) throw new Error('usage: recorder-child.ts INVENTORY_FILE KEY_ID...');
const services = createServices({ actor: 'cli', env: {}, secrets: new MemorySecretStore(), paths: { dataDir: path.dirname(file), inventoryFile: file } });
const recorder = services.checks.recordBulkRun({ chunk: 1, batchMs: 40, gapMs: 5 });
const start = Date.parse('2026-11-22T10:00:00.000Z');
let index = 0;
setInterval(() => {
  const keyId = keyIds[index % keyIds.length]!;
  recorder.add({ keyId, tenant: 'demo', keyName: keyId, fingerprint: 'sha256:0', at: new Date(start + index).toISOString(), probe: 'config', verdict: index % 3 === 0 ? 'forbidden' : 'valid', status: index % 3 === 0 ? 403 : 200, durationMs: 1, url: 'http://127.0.0.1:1/api/demo/admin/config' });
  index += 1;
  if (index === 200) console.log('ready');
}, 2);
