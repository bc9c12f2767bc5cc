/**
 * Raw HTTP/1.1 over a TCP socket, for requests fetch refuses to send: a lying Content-Length, hand-made chunked
 * encoding, both framing headers at once, stalled headers. Reads until the server closes the connection or `timeoutMs`
 * passes, and parses the first response's status line and headers.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RawResponse {
  /** 0 when no status line arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (as opposed to our timeout). */
  closedByServer: boolean;
  elapsedMs: number;
}

export interface RawRequestOptions {
  /** Pieces written in order (with `pauseMs` between them). */
  chunks: Array<string | Buffer>;
  pauseMs?: number;
  timeoutMs?: number;
  /** Half-close our side after writing (default false: keep it open like a slow client). */
  end?: boolean;
}

export function rawRequest(url: string, options: RawRequestOptions): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parse(Buffer.concat(received).toString('latin1')), closedByServer, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 10_000);
    socket.on('data', (d) => received.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const [i, chunk] of options.chunks.entries()) {
        if (done) return;
        if (i > 0 && options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        if (!socket.writable) return;
        socket.write(chunk);
      }
      if (options.end) socket.end();
    });
  });
}

function parse(text: string): Pick<RawResponse, 'status' | 'headers' | 'body'> {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: m ? Number(m[1]) : 0, headers, body: headEnd < 0 ? '' : text.slice(headEnd + 4) };
}

/** A TCP listener on 127.0.0.1 that only counts connections: proof that a refused ChannelURI was never contacted. */
export async function startTrap(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    count += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
