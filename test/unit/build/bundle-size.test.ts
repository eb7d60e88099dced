// The renderer's gzipped JavaScript stays within its budget. Sizes are not timings: this is as
// repeatable on a loaded machine as on an idle one, so it is checked here as well as in the bench.
import { describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, LAZY_CHUNK_BUDGET_BYTES, rendererBundle } from '../../bench/bundle-size.ts';

describe('the renderer bundle', () => {
  it('is minified, within 60 KB of gzipped JavaScript at startup, and each later screen within 20 KB', () => {
    const bundle = rendererBundle();
    expect(bundle.files.filter((file) => file.startup).length).toBeGreaterThan(0);
    // The screens opened later are chunks of their own, not part of the startup load.
    expect(bundle.files.filter((file) => !file.startup).length).toBeGreaterThanOrEqual(2);
    // Minified: a build that forgot it keeps its source's lines (about one per 35 bytes), comments included.
    for (const file of bundle.files) expect(file.lines, file.name).toBeLessThanOrEqual(5 + (file.bytes / 10_240) * 5);
    expect(bundle.startupGzipped).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    for (const file of bundle.files.filter((candidate) => !candidate.startup)) expect(file.gzipped, file.name).toBeLessThanOrEqual(LAZY_CHUNK_BUDGET_BYTES);
  });
});
