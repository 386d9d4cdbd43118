import { generateKeyPairSync } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { MeshCa } from '../../src/identity/ca';
import { nodeIdOf, peerWorkload, type WorkloadRef } from '../../src/identity/spiffe';

/**
 * A one-method gRPC service for tests of the mesh CA's certificates in a mutual-TLS handshake:
 * `/test.Identity/Whoami` answers with the node id the caller's client certificate names.
 */

const WHOAMI_PATH = '/test.Identity/Whoami';
const raw = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };

const WHOAMI_SERVICE: grpc.ServiceDefinition = {
  whoami: {
    path: WHOAMI_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
};

/** A client's private key and the leaf certificate a CA issued for it, PEM. */
export interface ClientIdentity {
  readonly key: string;
  readonly cert: string;
}

/** A new P-256 key and `ca`'s leaf for `workload`. */
export async function issueLeaf(ca: MeshCa, workload: WorkloadRef): Promise<ClientIdentity> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issued = await ca.issueWorkloadCertificate({ workload, publicKey });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: issued.certificatePem };
}

/**
 * A grpc-js server on 127.0.0.1 (a port the OS picks) serving Whoami with `credentials`: the
 * caller's workload in `trustDomain` as a node id, PERMISSION_DENIED when its certificate names
 * none. `onCall` runs for every call that got past the handshake.
 */
export async function startWhoamiServer(
  credentials: grpc.ServerCredentials, trustDomain: string, onCall: () => void = () => undefined,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(WHOAMI_SERVICE, {
    whoami: (unary: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      onCall();
      try {
        callback(null, Buffer.from(nodeIdOf(peerWorkload(unary.getAuthContext(), trustDomain))));
      } catch (err) {
        callback({ code: grpc.status.PERMISSION_DENIED, details: (err as Error).message });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return { server, port };
}

/**
 * One Whoami call to 127.0.0.1:`port`, trusting `trustPem`, presenting `client` (or no
 * certificate); resolves with the answer, or the gRPC status code of the failure.
 */
export async function callWhoami(port: number, trustPem: string, client?: ClientIdentity): Promise<string | grpc.status> {
  const credentials = client
    ? grpc.credentials.createSsl(Buffer.from(trustPem), Buffer.from(client.key), Buffer.from(client.cert))
    : grpc.credentials.createSsl(Buffer.from(trustPem));
  const channel = new grpc.Client(`127.0.0.1:${port}`, credentials);
  try {
    return await new Promise((resolve) => {
      channel.makeUnaryRequest(WHOAMI_PATH, raw.serialize, raw.deserialize, Buffer.alloc(0), { deadline: Date.now() + 5000 },
        (err, reply) => resolve(err ? err.code : reply!.toString()));
    });
  } finally {
    channel.close();
  }
}
