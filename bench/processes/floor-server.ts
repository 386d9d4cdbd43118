/**
 * The floor server: a bare @grpc/grpc-js server that holds N streams and writes one
 * pre-encoded payload to all of them. What any xDS server on grpc-js pays at least for a push.
 */
import * as grpc from '@grpc/grpc-js';
import { FLOOR_SERVICE } from '../lib/floor-protocol';
import { cpuMs } from '../lib/process-cpu';
import { fillYoungGeneration, settledRss } from '../lib/process-memory';
import { serveCommands } from '../lib/worker-ipc';

const calls = new Set<grpc.ServerDuplexStream<Buffer, Buffer>>();
let acks = 0;
/** Size of the payload written to a stream as soon as it opens (the floor of a full-state sync). */
let greeting = Buffer.alloc(0);
const server = new grpc.Server();
server.addService(FLOOR_SERVICE, {
  Push: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (b: Buffer) => {
      if (b[0] !== 0) {
        acks++;
        return;
      }
      calls.add(call);
      if (greeting.length > 0) call.write(greeting);
    });
    call.on('error', () => calls.delete(call));
    call.on('end', () => {
      calls.delete(call);
      call.end();
    });
  },
});

serveCommands({
  async listen() {
    fillYoungGeneration();
    return new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
  },
  greet(args: { bytes: number }) {
    greeting = Buffer.alloc(args.bytes, 7);
    return null;
  },
  streams() {
    return { streams: calls.size, acks };
  },
  memory() {
    return settledRss();
  },
  /** CPU time this process has used, in ms (user + system). */
  cpu() {
    return cpuMs();
  },
  /** Write the same pre-encoded payload to every stream; returns the start time. */
  push(args: { bytes: number }) {
    const payload = Buffer.alloc(args.bytes, 7);
    const startedAt = process.hrtime.bigint();
    for (const call of calls) call.write(payload);
    return { startedAt: String(startedAt), streams: calls.size };
  },
});
