import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The baseline: a bare Node HTTP server in its own process that answers every request with one
 * file through `fs.createReadStream` (its size as content-length, nothing else), so a download
 * from Hivebase can be compared with the least a Node server does to send the same bytes.
 */
export async function startBareServer(files: Record<string, string>): Promise<{
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const script = `
    const { createServer } = require('node:http');
    const { createReadStream, statSync } = require('node:fs');
    const files = ${JSON.stringify(files)};
    const server = createServer((request, response) => {
      const path = files[request.url];
      if (!path) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-length': statSync(path).size, 'content-type': 'application/octet-stream' });
      createReadStream(path).pipe(response);
    });
    server.listen(0, '127.0.0.1', () => console.log('port=' + server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /port=(\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
