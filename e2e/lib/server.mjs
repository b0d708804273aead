// Starts a throw-away Jixiao server with the demo county for the browser tests.
//
// Builds nothing: the binary comes from JIXIAO_BIN (default ../target/debug/jixiao relative to
// e2e/, i.e. what `cargo build -p jixiao` leaves). Each call gets its own temporary directory,
// database and free port; `stop()` kills the server and removes the directory.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The e2e/ directory. */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The jixiao binary under test. */
export function jixiaoBin() {
  return path.resolve(E2E_DIR, process.env.JIXIAO_BIN || '../target/debug/jixiao');
}

/** A port nobody listens on right now: bind port 0 on loopback, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(baseUrl, child, log, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`jixiao serve exited early (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok && (await res.text()).trim() === 'ok') return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`jixiao serve did not answer /healthz within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Loads the demo county into a fresh SQLite file and serves it on a free loopback port.
 * Returns { baseUrl, dbUrl, dir, stop }.
 */
export async function startDemoServer({ timeoutMs = 60_000 } = {}) {
  const bin = jixiaoBin();
  try {
    await access(bin);
  } catch {
    throw new Error(`jixiao binary not found at ${bin}: run \`cargo build -p jixiao\` or set JIXIAO_BIN`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'jixiao-e2e-'));
  const dbUrl = `sqlite://${path.join(dir, 'e2e.db')}`;
  const env = { ...process.env, JIXIAO_LOG: process.env.JIXIAO_LOG || 'warn' };
  delete env.JIXIAO_DATABASE_URL;
  try {
    await run(bin, ['demo', '--no-serve', '--db', dbUrl], { env, timeout: timeoutMs });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`jixiao demo failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }

  // The port is free when picked; another process could take it before jixiao binds, so retry.
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(bin, ['serve', '--db', dbUrl, '--listen', `127.0.0.1:${port}`], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise((r) => child.once('exit', r));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const stop = async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitHealthy(baseUrl, child, () => output, timeoutMs);
      return { baseUrl, dbUrl, dir, stop, output: () => output };
    } catch (e) {
      lastError = e;
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
