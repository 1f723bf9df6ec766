// The least a Node reverse proxy does: node:http in, one undici keep-alive pool out, the request
// and response passed through whole. Put in front of bench-peers' "bare", it measures what one
// HTTP hop between Node processes costs on this machine: the floor under the distributed shape's
// gateway (issue 14). Usage: UPSTREAM=http://127.0.0.1:8099 PORT=8090 node bench/hop/minimal-proxy.mjs
import http from 'node:http';
import { Pool } from 'undici';

const upstream = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:8099', { connections: 64 });
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const headers = { ...request.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    upstream
      .request({
        method: request.method,
        path: request.url,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      })
      .then(async ({ statusCode, headers: answer, body }) => {
        const payload = Buffer.from(await body.arrayBuffer());
        for (const name of HOP_BY_HOP) delete answer[name];
        answer['content-length'] = String(payload.length);
        response.writeHead(statusCode, answer).end(payload);
      })
      .catch((error) => response.writeHead(502).end(String(error)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 8090), '127.0.0.1', () => console.log(`proxy on ${process.env.PORT ?? 8090}`));
