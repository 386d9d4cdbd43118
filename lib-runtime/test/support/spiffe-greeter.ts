import * as grpc from '@grpc/grpc-js';
import { peerSpiffeId } from '../../src/identity/spiffe';

/**
 * `/helloworld.Greeter/SayHello` with JSON messages, for tests of mesh mTLS between gRPC peers:
 * the server answers with the caller's SPIFFE ID as it read it from the client certificate.
 */

const METHOD = '/helloworld.Greeter/SayHello';
const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): { caller: string } => JSON.parse(bytes.toString() || '{}'),
};

/** Adds the Greeter to `server` (a grpc-js Server or an XdsServer); every caller's SPIFFE ID is pushed to `callers`. */
export function addSpiffeGreeter(server: grpc.Server, callers: string[]): void {
  server.addService({
    SayHello: {
      path: METHOD,
      requestStream: false,
      responseStream: false,
      requestSerialize: json.serialize,
      requestDeserialize: json.deserialize,
      responseSerialize: json.serialize,
      responseDeserialize: json.deserialize,
    },
  }, {
    SayHello: (incoming: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      const caller = peerSpiffeId(incoming.getAuthContext().sslPeerCertificate);
      callers.push(caller);
      callback(null, { caller });
    },
  });
}

/**
 * One SayHello on `client` (10 s deadline); resolves with the SPIFFE ID the server saw and the
 * one of the server's certificate, rejects with the call's error.
 */
export function callGreeter(client: grpc.Client): Promise<{ caller: string; server: string }> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const pending: grpc.ClientUnaryCall = client.makeUnaryRequest(METHOD, json.serialize, json.deserialize, {}, new grpc.Metadata(), { deadline },
      (err: grpc.ServiceError | null, value?: { caller: string }) => {
        if (err) return reject(err);
        try {
          resolve({ caller: value!.caller, server: peerSpiffeId(pending.getAuthContext()?.sslPeerCertificate) });
        } catch (error) {
          reject(error);
        }
      });
  });
}
