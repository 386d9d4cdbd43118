import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(path.join(__dirname, 'echo.proto'), { keepCase: true, defaults: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  echo: { Echo: grpc.ServiceClientConstructor; EchoAdmin: grpc.ServiceClientConstructor };
};

export const EchoClient = loaded.echo.Echo;
export const EchoAdminClient = loaded.echo.EchoAdmin;

export interface WhoAmIReply {
  version: string;
  method: string;
}

/** Attempts per Flaky key, shared by every backend of a test so retries across backends count. */
export type AttemptLog = Map<string, number>;

/** A loopback gRPC server that answers as `version` (for example serviceB-v1). */
export class EchoBackend {
  port = 0;
  private readonly server = new grpc.Server();

  constructor(readonly version: string, attempts: AttemptLog) {
    type Call = grpc.ServerUnaryCall<Record<string, unknown>, WhoAmIReply>;
    const reply = (method: string) => (_call: Call, callback: grpc.sendUnaryData<WhoAmIReply>) => callback(null, { version, method });
    this.server.addService(loaded.echo.Echo.service, {
      WhoAmI: reply('WhoAmI'),
      WhoAmIV2: reply('WhoAmIV2'),
      Flaky: (call: Call, callback: grpc.sendUnaryData<WhoAmIReply>) => {
        const key = String(call.request.key);
        const seen = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, seen);
        if (seen <= Number(call.request.fail_times)) {
          callback({ code: grpc.status.UNAVAILABLE, details: `attempt ${seen} of ${key} refused by ${version}` });
        } else {
          callback(null, { version, method: 'Flaky' });
        }
      },
    });
    this.server.addService(loaded.echo.EchoAdmin.service, { WhoAmI: reply('EchoAdmin.WhoAmI') });
  }

  async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

/** Calls a unary method with a deadline; resolves with the reply or rejects with the gRPC error. */
export function unary<T>(client: grpc.Client, method: string, request: object, metadata = new grpc.Metadata(), timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, Function>)[method].bind(client);
    fn(request, metadata, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}
