import pg, { type Pool } from 'pg';

/**
 * Makes `pool.query` keep its connection when Postgres refuses a statement. pg-pool closes the
 * connection after any failed query, so every refused write (a unique value taken, a value that
 * does not cast) paid a new connection and lost the statements prepared on the old one, a cost
 * any client could make the server pay at will. An error Postgres answered at `ERROR` severity
 * to a single-statement query leaves the session usable; anything else (a lost socket, a FATAL, a
 * text-only query that may have held several statements) still removes the connection. Calls with a callback keep pg-pool's behaviour.
 */
export function keepConnectionsOnQueryErrors(pool: Pool): Pool {
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const query = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof values === 'function' || typeof callback === 'function') return original(config, values, callback);
    return queryKeepingConnection(pool, config, values);
  };
  pool.query = query as Pool['query'];
  return pool;
}

async function queryKeepingConnection(pool: Pool, config: unknown, values: unknown): Promise<unknown> {
  const client = await pool.connect();
  // A connection that dies while checked out emits 'error' (pg-pool's own query listens too);
  // the query's promise rejects with it and the connection is not given back.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  let result: unknown;
  try {
    result = await client.query(config as string, values as unknown[]);
  } catch (error) {
    // Still usable: Postgres answered the one statement of an extended-protocol query, which
    // leaves no transaction behind. A text-only query may hold several statements, its own BEGIN
    // among them, and the session's state is not known when the error arrives: it goes.
    const usable = !lost && answeredByServer(error) && isSingleStatement(config, values);
    client.removeListener('error', onError);
    client.release(usable ? undefined : (error as Error));
    throw error;
  }
  client.removeListener('error', onError);
  client.release(lost);
  return result;
}

/** Whether pg sends the query with the extended protocol (a name, or values): one statement only. */
function isSingleStatement(config: unknown, values: unknown): boolean {
  const options = typeof config === 'object' && config !== null ? (config as { name?: unknown; values?: unknown }) : {};
  const parameters = values ?? options.values;
  return Boolean(options.name) || (Array.isArray(parameters) && parameters.length > 0);
}

const answeredByServer = (error: unknown): boolean => error instanceof pg.DatabaseError && error.severity === 'ERROR';
