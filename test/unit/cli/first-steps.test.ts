// `tkv check --all`: each problem key's first next step, with its commands; keys sharing the very
// same step share one entry; a long run is bounded (12 entries of at most 5 keys named), the rest counted.
import { describe, expect, it } from 'vitest';
import { firstSteps } from '../../../src-main/cli/commands/check.ts';
import type { BulkSummary, CheckResult } from '../../../src-main/shared/check.ts';
import type { Remedy } from '../../../src-main/shared/remedies.ts';

const problem = (name: string, step: Remedy | null): BulkSummary['problems'][number] => ({ ref: { tenant: 'demo', name }, result: { nextSteps: step ? [step] : [] } as unknown as CheckResult });
const enable = (name: string): Remedy => ({ code: 'enable-on-server', key: { tenant: 'demo', name }, remoteName: name });
const anyKey: Remedy = { code: 'endpoint-accepts-any-key', baseUrl: 'https://gw.example', controlStatus: 200 };

describe('the first steps of a bulk run', () => {
  it('gives each key its first step with its command, and one entry to keys whose step is the same', () => {
    const lines = firstSteps([problem('a', enable('a')), problem('b', anyKey), problem('c', anyKey), problem('d', null)]);
    expect(lines[0]).toBe('Next steps, the first of each key (tkv check ALIAS/NAME gives them all; add --report md for a ticket):');
    expect(lines[1]).toBe('demo/a:');
    expect(lines[2]).toMatch(/^ {2}- The server lists "a" as disabled: enable it.*\n {6}tkv remote update demo\/a --enable$/);
    expect(lines[3]).toBe('demo/b, demo/c:');
    expect(lines[4]).toMatch(/^ {2}- https:\/\/gw\.example answered 200 to a key that was never issued/);
    expect(lines).toHaveLength(5);
  });

  it('names at most five keys of an entry and twelve entries, and counts the rest', () => {
    const same = Array.from({ length: 8 }, (_, index) => problem(`same-${index}`, anyKey));
    const own = Array.from({ length: 14 }, (_, index) => problem(`own-${String(index).padStart(2, '0')}`, enable(`own-${index}`)));
    const lines = firstSteps([...same, ...own]);
    expect(lines[1]).toBe('demo/same-0, demo/same-1, demo/same-2, demo/same-3, demo/same-4 and 3 more:');
    // 12 entries (the shared one and 11 keys of their own), two lines each, then the 3 keys left.
    expect(lines).toHaveLength(1 + 12 * 2 + 1);
    expect(lines.at(-1)).toBe('… and 3 more keys: tkv check ALIAS/NAME for each.');
  });
});
