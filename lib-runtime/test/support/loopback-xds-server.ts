import type { XdsNackRecord } from '../../src/xds/events';
import { XdsServer } from '../../src/xds/xds-server';

/** One ACK the server received: which node acknowledged which version of a resource type. */
export interface AckSeen {
  readonly nodeId: string;
  readonly typeUrl: string;
  readonly version: string;
}

/** The project's XdsServer on a loopback port, with every ACK and NACK it received, in order. */
export interface LoopbackXdsServer {
  readonly xds: XdsServer;
  readonly port: number;
  readonly acks: AckSeen[];
  readonly nacks: XdsNackRecord[];
}

/** Starts an XdsServer on 127.0.0.1:0 with a 1 ms push debounce, so a snapshot a test sets goes out at once. */
export async function startLoopbackXdsServer(): Promise<LoopbackXdsServer> {
  const acks: AckSeen[] = [];
  const nacks: XdsNackRecord[] = [];
  const xds = new XdsServer({
    pushDebounceMs: 1,
    hooks: {
      onAck: (stream, ack) => { acks.push({ nodeId: stream.nodeId, typeUrl: ack.typeUrl, version: ack.version }); },
      onNack: (_stream, nack) => { nacks.push(nack); },
    },
  });
  const port = await xds.listen('127.0.0.1:0');
  return { xds, port, acks, nacks };
}
