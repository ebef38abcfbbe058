import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const RUN_SOURCE = join(__dirname, '../../../libs/platform/testing/run-source.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** True once /health/ready answered 200; false if the process exited (or the time ran out) first. */
  ready: boolean;
  stop(): Promise<number | null>;
}

/**
 * The real auth-provider started from source in a child process (its own stdout, its own boot-time
 * config check). Jest's NODE_ENV=test is not passed on: each caller says its own.
 */
export async function startServiceProcess(env: Record<string, string | undefined>): Promise<ServiceProcess> {
  const port = await freePort();
  const base = { ...process.env };
  delete base.NODE_ENV;
  const child = spawn(process.execPath, [RUN_SOURCE, 'apps/auth-provider/src/main.ts'], {
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (running() && Date.now() < deadline) {
    ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => chunks.join(''),
    ready,
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
  };
}
