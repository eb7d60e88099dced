// The renderer's gzipped JavaScript stays within its budget. Sizes are not timings: this is as
// repeatable on a loaded machine as on an idle one, so it is checked here as well as in the bench.
import { describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, rendererBundle } from '../../bench/bundle-size.ts';

describe('the renderer bundle', () => {
  it('is minified, and within 60 KB of gzipped JavaScript', () => {
    const bundle = rendererBundle();
    expect(bundle.files.length).toBeGreaterThan(0);
    // Minified: a build that forgot it keeps its source's lines (about one per 35 bytes), comments included.
    for (const file of bundle.files) expect(file.lines / (file.bytes / 10_240), file.name).toBeLessThan(5);
    expect(bundle.gzipped).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });
});
