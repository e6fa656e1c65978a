import { readFileSync, readdirSync } from 'node:fs';
import { buildSchema, parse, validate, concatAST } from 'graphql';
const schema = buildSchema(readFileSync('/work/main/schema.graphql', 'utf8'));
const dir = '/work/main/examples/operations/';
const frag = parse(readFileSync(dir + 'task-fields.graphql', 'utf8'));
for (const f of readdirSync(dir)) {
  if (f === 'task-fields.graphql') continue;
  const doc = concatAST([parse(readFileSync(dir + f, 'utf8')), frag]);
  console.log(f, validate(schema, doc).map((e) => e.message));
}
