/**
 * electron-vite, told where this project keeps its three entries (its defaults are src/main,
 * src/preload and src/renderer). The root package.json has no "type": "module", so main and preload
 * build as CommonJS: the preload must be a single CommonJS file to run in Electron's sandbox.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: { input: { index: resolve(root, 'src-main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything except electron into one file: a sandboxed preload cannot require().
      externalizeDeps: false,
      rolldownOptions: { input: { index: resolve(root, 'src-main/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(root, 'src-renderer/svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Minified: the renderer's gzipped JavaScript has a budget (60 KB, test/bench/bundle-size.ts).
      minify: true,
      // Which chunks load at startup and which only when their screen opens (the budget is on the first).
      manifest: true,
      rolldownOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
