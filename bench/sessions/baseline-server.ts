/**
 * Bench child: the baseline — a bare Express 5 server that does the least a SyncML endpoint can do: read the body,
 * parse it with fast-xml-parser (stock XMLParser), and answer a fixed reply (the recorded package 2 when the device's
 * MsgID is 1, the recorded package 4 otherwise). No session state, no database, no model, no logging.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { XMLParser } from 'fast-xml-parser';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';

const CONTENT_TYPE = 'application/vnd.syncml.dm+xml';
const { path } = childConfig<{ path: string }>();

try {
  const parser = new XMLParser();
  let replies = { first: Buffer.from(''), later: Buffer.from('') };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.post(path, express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const doc = parser.parse(req.body as Buffer) as { SyncML?: { SyncHdr?: { MsgID?: unknown } } };
    const msgId = String(doc.SyncML?.SyncHdr?.MsgID ?? '');
    res.setHeader('content-type', CONTENT_TYPE);
    res.end(msgId === '1' ? replies.first : replies.later);
  });
  const server = createServer({ keepAliveTimeout: 5_000 }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serveRequests(
    { syncmlUrl: `http://127.0.0.1:${port}${path}`, pid: process.pid },
    {
      setReplies(args: { first: string; later: string }) {
        replies = { first: Buffer.from(args.first, 'utf8'), later: Buffer.from(args.later, 'utf8') };
        return true;
      },
      memory: () => process.memoryUsage(),
    },
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
} catch (error) {
  failStart(error);
}
