const preset = require('../../jest.preset.js');
const pglite = require('./jest.pglite.js');

module.exports = {
  ...preset,
  displayName: 'persistence',
  rootDir: __dirname,
  transform: { ...preset.transform, ...pglite.transform },
  transformIgnorePatterns: pglite.transformIgnorePatterns,
};
