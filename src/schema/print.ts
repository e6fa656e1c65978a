/**
 * Writes the schema as SDL to `schema.graphql` at the repository root (`npm run schema:print`). The
 * file is committed, and test/schema.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// Spelled 'graphql/index.js' because Vitest resolves a bare 'graphql' to the package's ESM build,
// while Pothos, loaded by Node, gets the CommonJS one; two copies reject each other's schema
// objects. Node resolves both spellings to the same file.
import { lexicographicSortSchema, printSchema } from 'graphql/index.js';
import { buildSchema } from './index.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** The SDL as committed: types and fields sorted, so only real changes show in a diff. */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, printGatewaySchema());
}
