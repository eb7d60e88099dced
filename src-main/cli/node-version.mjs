// Which Node runs tkv, checked before any TypeScript is loaded: plain JavaScript on purpose, so that
// an older Node says what to do instead of failing on the first .ts import.

/** Node 22.18 is the first to run TypeScript sources without a flag (type stripping on by default). */
export const REQUIRED = [22, 18];

/** Why `version` (process.versions.node) cannot run tkv, and what to do; null when it can. */
export function nodeProblem(version) {
  const [major, minor] = version.split('.').map(Number);
  if (major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])) return null;
  return [
    `tkv needs Node.js ${REQUIRED.join('.')} or newer; this is Node ${version}, which cannot run its TypeScript sources.`,
    'Get a newer Node, then run tkv again:',
    '  - with nvm: nvm install 24 && nvm use 24 (the repository\'s .nvmrc names 24);',
    '  - or from the npm registry, without root: npm install --prefix ~/.local/node24 node@24, then put ~/.local/node24/node_modules/node/bin first on your PATH;',
    '  - or your system\'s package of Node.js 22 or 24.',
  ].join('\n');
}
