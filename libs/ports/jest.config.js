module.exports = { ...require('../../jest.preset.js'), displayName: 'ports', rootDir: __dirname };
