import * as grpc from '@grpc/grpc-js';

/** What a test asks of a backend call: fail the first attempts of `key`, or answer late. */
export interface BackendRequest {
  readonly key?: string;
  /** Attempts of `key` (counted across every backend sharing the AttemptLog) refused with UNAVAILABLE. */
  readonly failTimes?: number;
  readonly delayMs?: number;
}

export interface BackendReply {
  /** The backend (virtual node) that answered. */
  readonly backend: string;
  readonly method: string;
}

/** Attempts per key, shared by the backends of a test so retries to another backend count too. */
export type AttemptLog = Map<string, number>;

const serialize = (value: object): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): BackendRequest => JSON.parse(bytes.toString() || '{}') as BackendRequest;

/**
 * A loopback gRPC server answering each of `methods` (full paths, /package.Service/Method) with
 * its own name. Messages are JSON: routing reads paths and metadata, never payloads, and the
 * C-core worker has no protobuf code generator to hand.
 */
export class JsonBackend {
  port = 0;
  private readonly server = new grpc.Server();

  constructor(readonly name: string, methods: readonly string[], attempts: AttemptLog) {
    const definition: grpc.ServiceDefinition = Object.fromEntries(methods.map((method) => [method, {
      path: method,
      requestStream: false,
      responseStream: false,
      requestSerialize: serialize,
      requestDeserialize: deserialize,
      responseSerialize: serialize,
      responseDeserialize: deserialize,
    }]));
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of methods) {
      handlers[method] = (call: grpc.ServerUnaryCall<BackendRequest, BackendReply>, callback: grpc.sendUnaryData<BackendReply>) => {
        const { key, failTimes = 0, delayMs = 0 } = call.request;
        if (key !== undefined) {
          const seen = (attempts.get(key) ?? 0) + 1;
          attempts.set(key, seen);
          if (seen <= failTimes) {
            callback({ code: grpc.status.UNAVAILABLE, details: `attempt ${seen} of ${key} refused by ${name}` });
            return;
          }
        }
        setTimeout(() => callback(null, { backend: name, method }), delayMs);
      };
    }
    this.server.addService(definition, handlers);
  }

  async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    return this.port;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
