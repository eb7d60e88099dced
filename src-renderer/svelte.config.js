// Svelte options for vite-plugin-svelte (passed explicitly from electron.vite.config.ts) and svelte-check.
export default {
  compilerOptions: {
    runes: true,
  },
};
