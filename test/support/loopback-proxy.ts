// A reverse proxy on loopback in front of a simulator: real HTTP both ways (event streams
// included, piped as they come), except the requests `answer` takes, which the proxy answers
// itself. For what sits between a client and a real server (a gateway that refuses event
// streams, say) without teaching the simulator every middlebox's habits.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyAnswer {
  status: number;
  body: unknown;
}

export interface LoopbackProxy {
  /** the target's URL with the proxy's origin */
  url: string;
  /** requests the proxy answered itself */
  readonly answered: number;
  close(): Promise<void>;
}

export async function startLoopbackProxy(target: string, answer: (req: IncomingMessage) => ProxyAnswer | undefined): Promise<LoopbackProxy> {
  const to = new URL(target);
  let answered = 0;
  const server = createServer((req, res) => {
    const own = answer(req);
    if (own) {
      answered++;
      res.writeHead(own.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(own.body));
      return;
    }
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
      (answerFromTarget) => {
        res.writeHead(answerFromTarget.statusCode ?? 502, answerFromTarget.headers);
        answerFromTarget.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // A client that goes away takes its upstream request with it (an event stream, say).
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString().replace(/\/$/, ''),
    get answered() {
      return answered;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
