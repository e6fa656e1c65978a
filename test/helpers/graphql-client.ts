/**
 * GraphQL over real HTTP against a running gateway. `execute` returns the whole response;
 * `expectData` fails with the whole response dumped when errors come back unexpectedly.
 */
export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; issues?: { path: (string | number)[]; message: string }[] } & Record<
      string,
      unknown
    >;
  }[];
}

export interface GraphQLClient {
  execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  expectData<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function graphqlClient(baseUrl: string, headers: Record<string, string> = {}): GraphQLClient {
  async function execute<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  }
  return {
    execute,
    async expectData<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const response = await execute<T>(query, variables);
      if (response.errors?.length || !response.data) {
        throw new Error(`unexpected GraphQL errors:\n${JSON.stringify(response, null, 2)}`);
      }
      return response.data;
    },
  };
}
