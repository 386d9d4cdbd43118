import * as http from 'node:http';
import { WorkerKind } from './client-worker';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { ControlPlane } from '../../src/control-plane';

/** The parts of the admin server's /clients view these tests read. */
interface ClientsView {
  streams: {
    streamId: number;
    nodeId: string;
    userAgent: string | null;
    view: string | null;
    types: { type: string; lastNack: { version: string; message: string } | null }[];
  }[];
  recentNacks: { streamId: number; nodeId: string; typeUrl: string; rejectedVersion: string; message: string }[];
}

/** What the control plane says of one client library's streams for a node. */
export interface ServedClient {
  /** How many streams of this library and node the control plane has. */
  readonly streams: number;
  /** How each was served: user agent, its version, rendered view. */
  readonly served: string[];
  /** Every NACK these streams sent, as `<type> version <v>: <message>`. */
  readonly nacks: string[];
}

function getJson<T>(port: number, pathAndQuery: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathAndQuery }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          reject(error);
        }
      });
    }).on('error', reject);
  });
}

/**
 * Read over HTTP from the admin server's /clients view, as an operator would: the streams of
 * `kind` for `nodeId` and the NACKs they sent (recent NACKs and each type's last one).
 */
export async function servedClient(cp: ControlPlane, nodeId: string, kind: WorkerKind): Promise<ServedClient> {
  const view = await getJson<ClientsView>(cp.ports.admin, '/clients');
  const mine = view.streams.filter((s) => s.nodeId === nodeId && kind.userAgent.test(s.userAgent ?? ''));
  const ids = new Set(mine.map((s) => s.streamId));
  // /clients names the agent, not its version; the in-process server has the whole node.
  const versionOf = (id: number) => cp.xds.status().streams.find((s) => s.streamId === id)?.node.user_agent_version;
  const served = mine.map((s) => `${s.userAgent} (version ${JSON.stringify(versionOf(s.streamId))}) served view ${s.view}`);
  const nacks = new Set<string>();
  for (const n of view.recentNacks) if (ids.has(n.streamId)) nacks.add(`${n.typeUrl.split('.').pop()} version ${n.rejectedVersion}: ${n.message}`);
  for (const s of mine) {
    for (const t of s.types) if (t.lastNack) nacks.add(`${t.type.split('.').pop()} version ${t.lastNack.version}: ${t.lastNack.message}`);
  }
  return { streams: mine.length, served: [...new Set(served)], nacks: [...nacks] };
}

/**
 * Every NACK the /clients view records for `nodeId`, from any stream, open or closed: the
 * per-client check above sees only the streams open now, so a stream a client replaced is
 * covered here.
 */
export async function nacksOfNode(cp: ControlPlane, nodeId: string): Promise<string[]> {
  const view = await getJson<ClientsView>(cp.ports.admin, '/clients');
  return view.recentNacks.filter((n) => n.nodeId === nodeId).map((n) => `stream ${n.streamId}, ${n.typeUrl.split('.').pop()} version ${n.rejectedVersion}: ${n.message}`);
}

/** The spec the control plane serves now, read from the admin server's /spec. */
export async function servedSpec(cp: ControlPlane): Promise<MeshSpecDocument> {
  return getJson<MeshSpecDocument>(cp.ports.admin, '/spec');
}
