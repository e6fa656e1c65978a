/**
 * A PostgreSQL cluster of the test's own: initdb and pg_ctl in a temporary directory, on a free
 * port of 127.0.0.1, so a test can stop it hard and start it again without touching the machine's
 * shared server (other suites use that one). As root, the binaries run as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

const POSTGRES_HOME = '/usr/lib/postgresql';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m immediate`: every connection dropped at once, as in a crash. */
  crash(): Promise<void>;
  /** Starts the cluster again on the same port and data. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * The newest installed server's bin directory with initdb and pg_ctl, if any (and, as root, if
 * there is a `postgres` user to run them as).
 */
export function postgresBinaries(): string | undefined {
  if (!existsSync(POSTGRES_HOME)) return undefined;
  if (process.getuid?.() === 0 && !/^postgres:/m.test(readFileSync('/etc/passwd', 'utf8'))) return undefined;
  const versions = readdirSync(POSTGRES_HOME)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(POSTGRES_HOME, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'kg-private-pg-'));
  if (asRoot) {
    const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')]);
    await chown(dir, uid, gid);
  }
  const pg = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    return asRoot
      ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 })
      : run(command, args, { timeout: 60_000 });
  };
  const data = join(dir, 'data');
  const port = await freePort();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', options, 'start']);
    running = true;
  };
  const crash = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash,
    start,
    async destroy() {
      if (running) await crash().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return Number(stdout.trim());
}
