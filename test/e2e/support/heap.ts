/** The page's JavaScript heap, read through the DevTools protocol after a full garbage collection. */
import type { Page } from '@playwright/test';

/** A heap snapshot as JSON text: every string the page still holds is in it. */
export async function heapSnapshot(page: Page): Promise<string> {
  const client = await page.context().newCDPSession(page);
  try {
    await client.send('HeapProfiler.enable');
    const chunks: string[] = [];
    client.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await client.send('HeapProfiler.collectGarbage');
    await client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    return chunks.join('');
  } finally {
    await client.detach();
  }
}

/** Bytes of JavaScript heap in use, after a full garbage collection. */
export async function heapUsed(page: Page): Promise<number> {
  const client = await page.context().newCDPSession(page);
  try {
    await client.send('HeapProfiler.enable');
    await client.send('HeapProfiler.collectGarbage');
    const { usedSize } = await client.send('Runtime.getHeapUsage');
    return usedSize;
  } finally {
    await client.detach();
  }
}
