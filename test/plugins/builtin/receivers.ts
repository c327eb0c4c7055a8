/**
 * Real syslog receivers on loopback (node:dgram, node:net, port 0 unless given) and an RFC 5424
 * parser, to check what the log-export plugin puts on the wire.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

export interface Rfc5424Message {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

const HEADER = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /;

/** Parses one RFC 5424 message with one SD-ELEMENT (unescaping its values); throws if malformed. */
export function parseRfc5424(text: string): Rfc5424Message {
  const head = HEADER.exec(text);
  if (!head) throw new Error(`not an RFC 5424 header: ${text.slice(0, 80)}`);
  let i = head[0].length;
  if (text[i] !== '[') throw new Error(`no SD-ELEMENT at ${i}: ${text.slice(0, 120)}`);
  const idEnd = text.slice(i).search(/[ \]]/) + i;
  const sdId = text.slice(i + 1, idEnd);
  i = idEnd;
  const params: Record<string, string> = {};
  while (text[i] === ' ') {
    const eq = text.indexOf('="', i);
    const name = text.slice(i + 1, eq);
    i = eq + 2;
    let value = '';
    while (text[i] !== '"') {
      if (i >= text.length) throw new Error('unterminated PARAM-VALUE');
      if (text[i] === '\\' && ['"', '\\', ']'].includes(text[i + 1] ?? '')) i += 1;
      else if (text[i] === ']') throw new Error(`unescaped ] in PARAM-VALUE of ${name}`);
      value += text[i];
      i += 1;
    }
    params[name] = value;
    i += 1;
  }
  if (text[i] !== ']') throw new Error(`SD-ELEMENT not closed at ${i}`);
  if (text[i + 1] !== ' ') throw new Error('no SP before MSG');
  const pri = Number(head[1]);
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: Number(head[2]),
    timestamp: head[3] as string,
    hostname: head[4] as string,
    appName: head[5] as string,
    procId: head[6] as string,
    msgId: head[7] as string,
    sdId,
    params,
    msg: text.slice(i + 2),
  };
}

/** A UDP syslog receiver: each datagram is one message. */
export async function startUdpReceiver() {
  const socket = createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (buf) => messages.push(buf.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    messages,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * A TCP syslog receiver that parses RFC 6587 octet-counted frames strictly (a framing error is
 * recorded, not skipped). `kill` drops every connection and stops listening, as a crashed
 * receiver would; `start` listens again on the same port.
 */
export function createTcpReceiver() {
  const messages: string[] = [];
  const framingErrors: string[] = [];
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let connections = 0;

  const onConnection = (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp === -1) break;
        const lenText = buf.subarray(0, sp).toString('ascii');
        if (!/^[1-9]\d{0,8}$/.test(lenText)) {
          framingErrors.push(`bad MSG-LEN ${JSON.stringify(lenText.slice(0, 20))}`);
          socket.destroy();
          return;
        }
        const len = Number(lenText);
        if (buf.length < sp + 1 + len) break;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };

  return {
    messages,
    framingErrors,
    get port() {
      return port;
    },
    get connections() {
      return connections;
    },
    async start(): Promise<number> {
      const s = createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
      port = (s.address() as { port: number }).port;
      return port;
    },
    async kill(): Promise<void> {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
