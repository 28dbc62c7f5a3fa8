// Generates src/services/api.gen.ts, the console's API types, from Sundial's OpenAPI document
// (what `sundial openapi` prints and `/api/openapi.json` serves).
//
//   node scripts/api-types.mjs [--check] [DOCUMENT]
//
// DOCUMENT defaults to ../target/openapi/openapi.json (scripts/lib/openapi.sh writes it). With
// --check nothing is written: the command fails when the committed file differs from what the
// document generates.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const output = path.join(web, 'src/services/api.gen.ts');
const args = process.argv.slice(2);
const check = args.includes('--check');
const document = path.resolve(
  args.find((arg) => !arg.startsWith('--')) ?? path.join(web, '../target/openapi/openapi.json'),
);

const header = `// Generated from Sundial's OpenAPI document by scripts/api-types.mjs (npm run api-types).
// Do not edit: change the API, then regenerate; CI fails when this file is stale.

`;
const schema = JSON.parse(await readFile(document, 'utf8'));
// Fields with a default are optional in requests, so they stay optional in the types.
const ast = await openapiTS(schema, { defaultNonNullable: false, alphabetize: true });
const generated = header + astToString(ast);

if (check) {
  const committed = await readFile(output, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error(
      `${path.relative(web, output)} is not what ${document} generates: run \`npm run api-types\` in web/ and commit it.`,
    );
    process.exit(1);
  }
  console.log(`${path.relative(web, output)} matches ${document}`);
} else {
  await writeFile(output, generated);
  console.log(`wrote ${path.relative(web, output)} from ${document}`);
}
