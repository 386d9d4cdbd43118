import type { MeshSpecDocument } from '../../../src/spec/document';
import { spiffeIdFor } from '../identity/spiffe';

/**
 * What the generated app will warn about at synth, found in the imported spec so the report can
 * say it up front: material App Mesh took from ACM, which open-app-mesh re-homes to its mesh CA
 * (CDK warning `open-app-mesh:acm-mesh-ca`), and proxy names the mesh CA cannot put in a SPIFFE ID
 * (`open-app-mesh:node-name-not-spiffe-safe`, the CA's own rule from identity/spiffe.ts).
 */

export interface MigrationNote {
  /** `virtual node "web"`. */
  readonly resource: string;
  /** Spec path of the field, as the validator writes paths. */
  readonly path: string;
  /** The CDK warning id the generated app raises for it (acknowledgeable). */
  readonly warning: string;
  readonly message: string;
}

const ACM_CERTIFICATE = 'the ACM certificate ARN is not used: the proxy presents its own certificate from the open-app-mesh mesh CA, '
  + 'served by the agent over SDS; the workload needs the agent beside Envoy';
const ACM_TRUST = 'the ACM Private CA ARNs are not used: peers are verified against the mesh CA\'s trust bundle, served by the agent over SDS; '
  + 'the bundle holds an ACM Private CA only when the control plane is given one as its root (--ca-acm-pca-arn)';

/** Every `tls` object under `value`, with its path. */
function tlsObjects(value: unknown, path: string): { path: string; tls: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => tlsObjects(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = `${path}.${key}`;
    const found = key === 'tls' && typeof child === 'object' && child !== null ? [{ path: here, tls: child as Record<string, unknown> }] : [];
    return [...found, ...tlsObjects(child, here)];
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** The notes for a whole document, in document order. */
export function migrationNotes(doc: MeshSpecDocument): MigrationNote[] {
  const notes: MigrationNote[] = [];
  const proxies = [
    ...doc.virtualNodes.map((n) => ({ kind: 'virtualNode' as const, name: n.virtualNodeName, spec: n.spec, list: 'virtualNodes', noun: 'virtual node' })),
    ...doc.virtualGateways.map((g) => ({ kind: 'virtualGateway' as const, name: g.virtualGatewayName, spec: g.spec, list: 'virtualGateways', noun: 'virtual gateway' })),
  ];
  for (const proxy of proxies) {
    const resource = `${proxy.noun} "${proxy.name}"`;
    const base = `${proxy.list}["${proxy.name}"]`;
    try {
      spiffeIdFor('example.org', { meshName: doc.mesh.meshName, kind: proxy.kind, name: proxy.name });
    } catch (error) {
      notes.push({
        resource,
        path: base,
        warning: 'open-app-mesh:node-name-not-spiffe-safe',
        message: `${(error as Error).message}: the mesh CA cannot issue this proxy a certificate, so mutual TLS to the control plane and mesh TLS from the CA fail for it`,
      });
    }
    for (const { path, tls } of tlsObjects(proxy.spec, `${base}.spec`)) {
      if (record(tls.certificate).acm !== undefined) notes.push({ resource, path: `${path}.certificate.acm`, warning: 'open-app-mesh:acm-mesh-ca', message: ACM_CERTIFICATE });
      if (record(record(tls.validation).trust).acm !== undefined) {
        notes.push({ resource, path: `${path}.validation.trust.acm`, warning: 'open-app-mesh:acm-mesh-ca', message: ACM_TRUST });
      }
    }
  }
  return notes;
}
