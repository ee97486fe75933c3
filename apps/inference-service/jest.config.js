module.exports = { ...require('../../jest.preset.js'), displayName: 'inference-service', rootDir: __dirname };
