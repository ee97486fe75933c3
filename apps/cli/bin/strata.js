#!/usr/bin/env node
// The `strata` bin (package.json "bin"): runs the built CLI. It lives in the source tree so
// the bin exists right after `npm ci`, which does not build; it says how to build when needed.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const entry = path.resolve(__dirname, '../../../dist/cli/apps/cli/src/main.js');
if (!existsSync(entry)) {
  process.stderr.write(`strata: the CLI is not built yet (${entry} is missing).\nRun \`npx nx run cli:build\` in the Strata checkout, then try again.\n`);
  process.exit(1);
}
require(entry);
