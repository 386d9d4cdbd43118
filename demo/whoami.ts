import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The demo's gRPC service (demo/whoami.proto): `demo.WhoAmI/Ask` answers with the server's version. */

const definition = protoLoader.loadSync(path.join(__dirname, 'whoami.proto'), { keepCase: true, longs: Number, defaults: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as { demo: { WhoAmI: grpc.ServiceClientConstructor } };

/** Client constructor of demo.WhoAmI. */
export const WhoAmIClient = loaded.demo.WhoAmI;

export interface AskReply {
  readonly version: string;
  readonly seq: number;
}

/** A loopback server that answers every Ask as `version` (the virtual node name it plays). */
export class WhoAmIServer {
  port = 0;
  served = 0;
  private readonly server = new grpc.Server();

  constructor(readonly version: string) {
    this.server.addService(loaded.demo.WhoAmI.service, {
      Ask: (call: grpc.ServerUnaryCall<{ seq: number }, AskReply>, callback: grpc.sendUnaryData<AskReply>) => {
        this.served++;
        callback(null, { version, seq: call.request.seq });
      },
    });
  }

  /** Binds 127.0.0.1 on a free port. */
  async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
    });
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 1000);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** One unary Ask with a deadline. */
export function ask(client: grpc.Client, seq: number, timeoutMs: number): Promise<AskReply> {
  return new Promise((resolve, reject) => {
    (client as unknown as {
      Ask: (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: AskReply) => void) => void;
    }).Ask({ seq }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
}
