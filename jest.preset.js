// Shared Jest settings: every project compiles TypeScript with SWC (decorator metadata on,
// like the build) and resolves the @strata/* path aliases to the libraries' sources.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, (c) => `\\${c}`)}$`] = path.join(__dirname, target);
}

module.exports = {
  // Node's environment, with the host realm's typed arrays (onnxruntime-node returns those).
  testEnvironment: path.join(__dirname, 'tools/jest/host-typed-arrays-environment.js'),
  transform: {
    '^.+\\.ts$': ['@swc/jest', require('./tools/dev/swc-typescript-options.js')],
    // PGlite's CommonJS build loads Node built-ins with `import()`, which Jest's module sandbox
    // refuses without --experimental-vm-modules; compiling that one package turns them into require().
    '[/\\\\]node_modules[/\\\\]@electric-sql[/\\\\]pglite[/\\\\].+\\.c?js$': [
      '@swc/jest',
      { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: false } },
    ],
    // hyparquet (the Parquet reader) ships ES modules only; Node 20 requires them natively,
    // Jest's CommonJS sandbox needs them compiled.
    '[/\\\\]node_modules[/\\\\]hyparquet[/\\\\].+\\.js$': [
      '@swc/jest',
      { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['[/\\\\]node_modules[/\\\\](?!(@electric-sql[/\\\\]pglite|hyparquet)[/\\\\])'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Integration tests start databases and servers on a busy 2-core machine; this is a hang guard, not a speed check.
  testTimeout: 60_000,
};
