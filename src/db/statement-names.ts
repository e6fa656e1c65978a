/**
 * Names each parameterized statement after its text, so PostgreSQL parses and plans it once per
 * connection and afterwards only binds and runs it. node-postgres prepares a statement once per
 * connection when the query carries a name; drizzle never gives one. A create runs half a dozen
 * statements of fixed text, and parsing and planning each anew cost about as much server time as
 * running it (bench/findings.md, "Third round").
 *
 * Names follow the text one to one for the life of the process, so two texts never share a name,
 * which node-postgres refuses. Statements without parameters (migrations, `begin`, `commit`) stay
 * unnamed, and so does any text beyond the first `MAX_NAMED_STATEMENTS`: statements built with a
 * variable number of parameters would otherwise keep adding prepared statements to every
 * connection.
 */
import pg from 'pg';

const MAX_NAMED_STATEMENTS = 500;

export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = MAX_NAMED_STATEMENTS) {
    this.#capacity = capacity;
  }

  /** The name of `text`, given on first sight while fewer than the capacity are named. */
  nameFor(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined || this.#names.size >= this.#capacity) return known;
    const name = `kg_${this.#names.size + 1}`;
    this.#names.set(text, name);
    return name;
  }
}

const processNames = new StatementNames();

/** A node-postgres client class for a pool (`new pg.Pool({ Client })`) that names statements. */
export function statementNamingClient(names: StatementNames = processNames): typeof pg.Client {
  class StatementNamingClient extends pg.Client {}
  // pg.Client's `query` has a dozen overloads; this one adds a name and hands everything on as is.
  Object.defineProperty(StatementNamingClient.prototype, 'query', {
    value: function query(this: pg.Client, config: unknown, ...rest: unknown[]): unknown {
      // `query(text, values, callback?)` is `query({ text, values }, callback?)`.
      const [values, ...others] = rest;
      const args =
        typeof config === 'string' && Array.isArray(values)
          ? [withName({ text: config, values }, names), ...others]
          : [withName(config, names), ...rest];
      return Reflect.apply(pg.Client.prototype.query, this, args);
    },
  });
  return StatementNamingClient;
}

function withName(config: unknown, names: StatementNames): unknown {
  if (!isUnnamedQueryWithParameters(config)) return config;
  const name = names.nameFor(config.text);
  return name === undefined ? config : { ...config, name };
}

function isUnnamedQueryWithParameters(
  config: unknown,
): config is pg.QueryConfig & { text: string; values: unknown[] } {
  if (typeof config !== 'object' || config === null) return false;
  // A Query object (it submits itself) is passed through untouched.
  if ('submit' in config) return false;
  const { text, values, name } = config as Partial<pg.QueryConfig>;
  return typeof text === 'string' && name === undefined && Array.isArray(values) && values.length > 0;
}
