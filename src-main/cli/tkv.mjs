#!/usr/bin/env node
// The tkv executable's first file, plain JavaScript on purpose: it turns on Node's compile cache
// before any TypeScript is read, so that on every run after the first no type is stripped and no
// module is compiled again — tkv then starts in a few times the time of a bare `node`.
// TKV_NO_COMPILE_CACHE=1 turns the cache off.
import module from 'node:module';

if (!process.env.TKV_NO_COMPILE_CACHE) module.enableCompileCache?.();
await import('./tkv.ts');
