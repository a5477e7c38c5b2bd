import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFiles } from '../src/json-schemas.ts';

const dir = join(import.meta.dirname, '..', 'schemas');
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(join(dir, file), text);
  console.log(`wrote ${join('packages/contracts/schemas', file)}`);
}
