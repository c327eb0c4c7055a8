import { lookup } from 'node:dns/promises';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIP, type Socket } from 'node:net';

import { PartialSendError, type RecordTransport } from './record-pump.js';
import { frameOctetCounted } from './syslog.js';
import type { PluginLogger } from '../../sdk.js';

export interface SyslogSinkOptions {
  host: string;
  port: number;
  /** Gives up a connection attempt after this long (TCP). */
  connectTimeoutMs?: number;
  log: PluginLogger;
}

/**
 * Sends RFC 5424 messages over UDP, one datagram per message (RFC 5426). The host is resolved
 * at the first send and again after a failure. UDP has no delivery report: a receiver that is
 * down loses what is sent to it, and only local errors (no route, resolution) reach the pump.
 *
 * @example
 * const sink = createSyslogUdpSink({ host: '127.0.0.1', port: 514, log: ctx.log });
 * await sink.send([formatSyslogMessage(input, sender, 2048).message]);
 */
export function createSyslogUdpSink(options: SyslogSinkOptions): RecordTransport {
  let socket: UdpSocket | null = null;
  let address: string | null = null;

  async function open(): Promise<{ socket: UdpSocket; address: string }> {
    if (socket && address) return { socket, address };
    const resolved = isIP(options.host)
      ? { address: options.host, family: isIP(options.host) }
      : await lookup(options.host);
    const s = createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
    s.on('error', (error) => options.log.warn(`syslog udp: ${error.message}`));
    socket = s;
    address = resolved.address;
    return { socket: s, address: resolved.address };
  }

  const reset = () => {
    socket?.close();
    socket = null;
    address = null;
  };

  return {
    description: `syslog udp ${options.host}:${options.port}`,
    async send(batch) {
      let done = 0;
      try {
        const target = await open();
        for (const message of batch) {
          await new Promise<void>((resolve, reject) => {
            target.socket.send(message, options.port, target.address, (error) =>
              error ? reject(error) : resolve(),
            );
          });
          done += 1;
        }
      } catch (error) {
        reset();
        throw new PartialSendError(done, error);
      }
    },
    async close() {
      reset();
    },
  };
}

/**
 * Sends RFC 5424 messages over TCP with octet-counting framing (RFC 6587 §3.4.1,
 * `LEN SP MSG`). Connects at the first send and after each loss; a lost connection is logged
 * and the pump retries with backoff. Before each batch it lets pending socket events run, so
 * a receiver that has closed the connection is noticed before anything is written to it (the
 * check rsyslog makes with a non-blocking recv). A batch resolves once the kernel has taken
 * it: plain TCP syslog has no acknowledgements, so what the kernel had taken when the receiver
 * died is lost with the connection; everything after is kept and sent on the next one.
 *
 * @example
 * const sink = createSyslogTcpSink({ host: 'logs.internal', port: 6514, log: ctx.log });
 * await sink.send([formatSyslogMessage(input, sender).message]);
 */
export function createSyslogTcpSink(options: SyslogSinkOptions): RecordTransport {
  const where = `${options.host}:${options.port}`;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  let socket: Socket | null = null;
  let closing = false;

  function open(): Promise<Socket> {
    if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    return new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        s.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      let established = false;
      s.once('connect', () => {
        clearTimeout(timer);
        established = true;
        s.setNoDelay(true);
        s.setKeepAlive(true, 30_000);
        socket = s;
        options.log.info(`syslog tcp: connected to ${where}`);
        resolve(s);
      });
      s.on('error', (error) => {
        clearTimeout(timer);
        if (!established) reject(error);
      });
      // Receivers send nothing; reading only lets us notice the peer closing.
      s.on('data', () => {});
      s.once('close', () => {
        clearTimeout(timer);
        if (socket === s) socket = null;
        if (established && !closing) {
          options.log.warn(`syslog tcp: connection to ${where} lost`);
        } else reject(new Error(`connection to ${where} closed`));
      });
    });
  }

  return {
    description: `syslog tcp ${where}`,
    async send(batch) {
      await new Promise((resolve) => setImmediate(resolve));
      const s = await open();
      const frames = Buffer.concat(batch.map(frameOctetCounted));
      await new Promise<void>((resolve, reject) => {
        s.write(frames, (error) => (error ? reject(error) : resolve()));
      }).catch((error: unknown) => {
        s.destroy();
        throw error;
      });
    },
    async close() {
      closing = true;
      const s = socket;
      socket = null;
      if (!s || s.destroyed) return;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 1_000).unref();
      });
    },
  };
}
