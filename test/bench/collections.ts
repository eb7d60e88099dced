/** Garbage collections as the bulk-check bench and its bare loop's process see them (performance-timeline times). */

/** How long the collections paused the main thread between `start` and `end`, in milliseconds. */
export function pausedWithin(collections: readonly { start: number; end: number }[], start: number, end: number): number {
  let paused = 0;
  for (const gc of collections) paused += Math.max(0, Math.min(gc.end, end) - Math.max(gc.start, start));
  return paused;
}
