// Starts the real `loophole` binary for the browser tests.
//
//   const server = await startServer();      // fresh database in a temp dir
//   server.url                               // http://127.0.0.1:PORT
//   await server.restart();                  // same database, new port
//   await server.dispose();                  // stop and delete the temp dir
//
// The binary is $LOOPHOLE_BIN, or ../target/release/loophole from here.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const BIN = process.env.LOOPHOLE_BIN
  ? resolve(process.env.LOOPHOLE_BIN)
  : resolve(here, '..', 'target', 'release', 'loophole');

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export class Server {
  constructor(dir) {
    this.dir = dir;
    this.db = join(dir, 'test.db');
    this.child = null;
    this.url = null;
    this.log = '';
  }

  /** Spawns `loophole serve` and resolves once it prints its address. */
  async start() {
    if (!existsSync(BIN)) {
      throw new Error(`no server binary at ${BIN}: run \`cargo build --release\` first, or set LOOPHOLE_BIN`);
    }
    const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--db', this.db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.url = await new Promise((resolvePromise, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        fail(new Error(`the server printed no \`listening on\` line within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const fail = (err) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${err.message}\n--- server output ---\n${this.log}`));
      };
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d) => {
        this.log += d;
      });
      child.stdout.on('data', (d) => {
        this.log += d;
        out += d;
        const m = out.match(/listening on (http:\/\/[^\s]+)/);
        if (m) {
          clearTimeout(timer);
          resolvePromise(m[1].replace(/\/$/, ''));
        }
      });
      child.on('error', fail);
      child.on('exit', (code, signal) => fail(new Error(`the server exited early (code ${code}, signal ${signal})`)));
    });
    // From here on an exit is the test's business, not start()'s.
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    return this;
  }

  /** Stops the server: SIGTERM, then SIGKILL if it lingers. */
  async stop() {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolvePromise) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
      child.kill('SIGTERM');
    });
  }

  /** Stops and starts again on the same database (the port changes). */
  async restart() {
    await this.stop();
    return this.start();
  }

  async dispose() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** GET a JSON API path. */
  async json(path) {
    const res = await fetch(this.url + path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  }
}

export async function startServer() {
  const dir = await mkdtemp(join(tmpdir(), 'loophole-e2e-'));
  const server = new Server(dir);
  try {
    return await server.start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
