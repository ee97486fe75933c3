module.exports = { ...require('../../jest.preset.js'), displayName: 'feature-service', rootDir: __dirname };
