import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CERTIFICATE_FILE, PRIVATE_KEY_FILE, TRUST_BUNDLE_FILE } from '../lib-runtime/src/agent/certificate-files';
import { peerSpiffeId } from '../lib-runtime/src/identity/spiffe';

/** The demo's gRPC service (demo/whoami.proto): `demo.WhoAmI/Ask` answers with the server's version. */

const definition = protoLoader.loadSync(path.join(__dirname, 'whoami.proto'), { keepCase: true, longs: Number, defaults: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as { demo: { WhoAmI: grpc.ServiceClientConstructor } };

/** Client constructor of demo.WhoAmI. */
export const WhoAmIClient = loaded.demo.WhoAmI;

export interface AskReply {
  readonly version: string;
  readonly seq: number;
  /** The caller's SPIFFE ID as the server saw it ('' in plaintext). */
  readonly caller: string;
}

/**
 * Server credentials from an agent's --out-dir: its certificate and key, and client certificates
 * required and verified against its trust bundle (mesh mTLS). Read once: the demo ends long before
 * the 24-hour certificates need renewing.
 */
export function meshServerCredentials(agentOutDir: string): grpc.ServerCredentials {
  const read = (file: string) => fs.readFileSync(path.join(agentOutDir, file));
  const keyPair = { cert_chain: read(CERTIFICATE_FILE), private_key: read(PRIVATE_KEY_FILE) };
  return grpc.ServerCredentials.createSsl(read(TRUST_BUNDLE_FILE), [keyPair], true);
}

/** A loopback server that answers every Ask as `version` (the virtual node name it plays). */
export class WhoAmIServer {
  port = 0;
  served = 0;
  private readonly server = new grpc.Server();

  constructor(readonly version: string, private readonly credentials = grpc.ServerCredentials.createInsecure()) {
    this.server.addService(loaded.demo.WhoAmI.service, {
      Ask: (call: grpc.ServerUnaryCall<{ seq: number }, AskReply>, callback: grpc.sendUnaryData<AskReply>) => {
        this.served++;
        const auth = call.getAuthContext();
        const caller = auth.transportSecurityType === 'ssl' ? peerSpiffeId(auth.sslPeerCertificate) : '';
        callback(null, { version, seq: call.request.seq, caller });
      },
    });
  }

  /** Binds 127.0.0.1 on a free port. */
  async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', this.credentials, (error, port) => (error ? reject(error) : resolve(port)));
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

type AskCallback = (e: grpc.ServiceError | null, r: AskReply) => void;
type AskMethod = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: AskCallback) => grpc.ClientUnaryCall;

/** One unary Ask with a deadline. */
export function ask(client: grpc.Client, seq: number, timeoutMs: number): Promise<AskReply> {
  return askWithPeer(client, seq, timeoutMs).then((answer) => answer.reply);
}

/**
 * One Ask, with the SPIFFE ID of the server's certificate as the client's TLS handshake saw it
 * ('' in plaintext). `waitForReady`: wait out a channel that has no usable endpoint yet.
 */
export function askWithPeer(client: grpc.Client, seq: number, timeoutMs: number, waitForReady = false): Promise<{ reply: AskReply; server: string }> {
  return new Promise((resolve, reject) => {
    const options = { deadline: Date.now() + timeoutMs, waitForReady };
    const call = (client as unknown as { Ask: AskMethod }).Ask({ seq }, new grpc.Metadata(), options, (error, reply) => {
      if (error) return reject(error);
      const auth = call.getAuthContext();
      try {
        resolve({ reply, server: auth?.transportSecurityType === 'ssl' ? peerSpiffeId(auth.sslPeerCertificate) : '' });
      } catch (peerError) {
        reject(peerError);
      }
    });
  });
}
