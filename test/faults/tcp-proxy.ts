/**
 * A TCP proxy on 127.0.0.1 in front of the shared PostgreSQL server, so a test can take "the database" away from a
 * gateway without touching the server other tests use: `cut()` destroys every proxied connection and refuses new ones
 * (the listening socket stays bound, so the port does not change); `restore()` lets connections through again;
 * `delayMs` holds every chunk in both directions (a slow database).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** The target URL with host/port replaced by the proxy's. */
  url(targetUrl: string): string;
  cut(): void;
  restore(): void;
  delayMs: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  let delay = 0;
  const pairs = new Set<{ a: Socket; b: Socket }>();
  const pipe = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (delay > 0) {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, delay);
      } else if (!to.destroyed) to.write(chunk);
    });
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    const pair = { a: client, b: upstream };
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    pipe(client, upstream);
    pipe(upstream, client);
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    up = false;
    for (const { a, b } of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut,
    restore() {
      up = true;
    },
    get delayMs() {
      return delay;
    },
    set delayMs(ms: number) {
      delay = ms;
    },
    get connections() {
      return pairs.size;
    },
    close() {
      cut();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
