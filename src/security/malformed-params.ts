/**
 * Yoga parses `variables` and `extensions` from a GET query string or a form body with a bare
 * JSON.parse, so malformed JSON there would surface as a 500. It is the client's mistake: a 400
 * that says what to fix.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const malformedParamsAreBadRequests: Plugin = {
  onRequestParse({ requestParser, setRequestParser }) {
    if (requestParser === undefined) return;
    setRequestParser(async (request) => {
      try {
        return await requestParser(request);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw new GraphQLError('"variables" and "extensions" must be JSON objects', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
    });
  },
};
