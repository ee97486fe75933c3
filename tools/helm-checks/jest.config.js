module.exports = { ...require('../../jest.preset.js'), displayName: 'helm-checks', rootDir: __dirname };
