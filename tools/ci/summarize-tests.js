// Sums the Jest JSON reports every project wrote (jest --json --outputFile) into one line.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] ?? 'tmp/test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`${path.basename(file, '.json').padEnd(20)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
if (files.length === 0 || passed === 0 || failed > 0) process.exit(1);
