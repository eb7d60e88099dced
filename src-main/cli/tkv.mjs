#!/usr/bin/env node
// The tkv executable's first file, plain JavaScript on purpose: it checks that this Node can run the
// TypeScript sources (and says what to do when it cannot), then turns on Node's compile cache before
// any TypeScript is read, so that on every run after the first no type is stripped and no module is
// compiled again — tkv then starts in a few times the time of a bare `node`.
// TKV_NO_COMPILE_CACHE=1 turns the cache off.
import module from 'node:module';
import { nodeProblem } from './node-version.mjs';

const problem = nodeProblem(process.versions.node);
if (problem) {
  process.stderr.write(`tkv: ${problem}\n`);
  process.exit(1);
}
if (!process.env.TKV_NO_COMPILE_CACHE) module.enableCompileCache?.();
await import('./tkv.ts');
