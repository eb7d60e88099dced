// The golden transcripts (test/transcripts/): what tkv prints is a contract. A change of output
// fails here until `npm run transcripts` writes it again and its diff is read in review.
import { describe, expect, it } from 'vitest';
import { committed, runScenarios } from '../../transcripts/runner.ts';
import { SCENARIOS } from '../../transcripts/scenarios.ts';

describe('golden transcripts', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, { timeout: 240_000 }, async () => {
      const expected = committed(scenario.name);
      expect(expected, `test/transcripts/${scenario.name}.txt is missing: run npm run transcripts`).not.toBeNull();
      const actual = (await runScenarios([scenario.name])).get(scenario.name);
      // On a difference, the diff below is what a person would now read; if it is right, run
      // `npm run transcripts` and commit the file with the change.
      expect(actual).toBe(expected);
    });
  }
});
