/**
 * GraphQL Code Generator: types and typed documents for examples/operations/*.graphql, from the
 * committed schema.graphql, into examples/generated/ (committed). `npm run codegen` rewrites it;
 * test/codegen.test.ts fails while it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/operations/*.graphql'],
  // Node ESM resolves relative imports only with their extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'examples/generated/': {
      preset: 'client',
      // The examples read fragment fields directly; masking suits component trees, not scripts.
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as typed strings: a fetch or graphql-ws client needs no GraphQL runtime.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
