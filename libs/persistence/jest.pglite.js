// Jest settings any project needs to run PGlite in its tests. PGlite's CommonJS build loads
// Node built-ins with `import()`, which Jest's module sandbox refuses without
// --experimental-vm-modules; compiling that one package with SWC turns them into `require()`.
// Spread into a jest config: `transform: { ...preset.transform, ...pglite.transform }` and
// `transformIgnorePatterns: pglite.transformIgnorePatterns`.
module.exports = {
  transform: {
    '[/\\\\]node_modules[/\\\\]@electric-sql[/\\\\]pglite[/\\\\].+\\.c?js$': [
      '@swc/jest',
      { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: false } },
    ],
  },
  transformIgnorePatterns: ['[/\\\\]node_modules[/\\\\](?!@electric-sql[/\\\\]pglite[/\\\\])'],
};
