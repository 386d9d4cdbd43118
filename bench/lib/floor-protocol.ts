/**
 * The floor: a bare @grpc/grpc-js bidi method that moves opaque bytes, no encoding and no
 * protocol logic. The server writes one pre-encoded payload to every open stream; each client
 * answers with a tiny message, as an ACK would be.
 */
import * as grpc from '@grpc/grpc-js';

export const FLOOR_PATH = '/bench.Floor/Push';

const identity = (b: Buffer): Buffer => b;

export const FLOOR_SERVICE: grpc.ServiceDefinition = {
  Push: {
    path: FLOOR_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** A floor client: its own channel and connection, one stream; records when each payload arrived. */
export class FloorClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  lastReceivedAt = 0n;
  received = 0;

  constructor(index: number, target: string) {
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.bench_proxy_index': index,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    this.call = this.client.makeBidiStreamRequest(FLOOR_PATH, identity, identity);
    this.call.on('data', () => {
      this.call.write(Buffer.from([1]));
      this.lastReceivedAt = process.hrtime.bigint();
      this.received++;
    });
    this.call.on('error', () => { /* ended by close() */ });
    this.call.write(Buffer.from([0]));
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
