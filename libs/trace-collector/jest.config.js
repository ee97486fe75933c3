// The lib's tests drive the real OTLP exporters, whose transport loads `http` with `import()`:
// Jest's CommonJS sandbox refuses that without --experimental-vm-modules, so that package is
// compiled to require() like the preset does for PGlite (also when nested in another package).
const preset = require('../../jest.preset.js');

const exporterBase = '[/\\\\]@opentelemetry[/\\\\]otlp-exporter-base[/\\\\]';

module.exports = {
  ...preset,
  displayName: 'trace-collector',
  rootDir: __dirname,
  transform: {
    ...preset.transform,
    [`${exporterBase}.+\\.js$`]: ['@swc/jest', { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: false } }],
  },
  transformIgnorePatterns: preset.transformIgnorePatterns.map((pattern) => `^(?!.*${exporterBase}).*${pattern}`),
};
