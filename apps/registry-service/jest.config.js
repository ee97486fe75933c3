module.exports = { ...require('../../jest.preset.js'), displayName: 'registry-service', rootDir: __dirname };
