// Parses and validates an AsyncAPI document with the official parser, the
// one analytics consumers' tooling uses, so a document it refuses fails CTest.
// Accepts both 2.6.0 (today's hand-written file) and 3.0.0 (the generated one).
// Usage: node asyncapi-check.mjs <document.yaml>
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';

const SUPPORTED = /^(2\.6\.0|3\.0\.0)$/;
const SEVERITY = ['error', 'warning', 'info', 'hint'];

const file = process.argv[2];
if (!file) {
  console.error('usage: node asyncapi-check.mjs <asyncapi.yaml>');
  process.exit(2);
}
const absolute = path.resolve(file);
// Fail early on an unreadable file: the parser would report it as one vague diagnostic.
await readFile(absolute);

const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, absolute).parse();

for (const d of diagnostics) {
  const where = d.path && d.path.length ? ` at ${d.path.join('.')}` : '';
  console.log(`${SEVERITY[d.severity] ?? d.severity} ${d.code}${where}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === 0).length;
if (!document || errors > 0) {
  console.log(`asyncapi: ${file}: ${errors} error(s), not a valid AsyncAPI document`);
  process.exit(1);
}
const version = document.version();
console.log(`asyncapi: ${file}: AsyncAPI ${version}, ${document.allMessages().length} message(s), ` +
  `${diagnostics.length - errors} non-error diagnostic(s)`);
if (!SUPPORTED.test(version)) {
  // A version nobody here has checked the tooling against is a decision, not a drift.
  console.log(`asyncapi: ${file}: version ${version} is not one this check accepts (2.6.0, 3.0.0)`);
  process.exit(1);
}
