// SWC settings for running TypeScript sources without a build, shared by Jest (jest.preset.js)
// and worker threads started from sources (register-ts.js): the build's settings (.swcrc) —
// decorator metadata on — compiled to CommonJS.
'use strict';
module.exports = {
  swcrc: false,
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
