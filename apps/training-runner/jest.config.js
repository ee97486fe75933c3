module.exports = { ...require('../../jest.preset.js'), displayName: 'training-runner', rootDir: __dirname };
