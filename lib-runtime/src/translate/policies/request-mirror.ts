import { RequestMirrorPolicy } from '../../../../src/spec/extensions/request-mirror';
import { CompiledMesh, TargetListener, targetListener } from '../compile';
import { ProtoJson } from '../types';
import { millionths } from './fault-injection';

/** Request mirrors of a route: the action's `request_mirror_policies`, and the clusters they need. */
export interface RenderedMirrors {
  readonly policies: ProtoJson[];
  /** Listeners the copies go to: the caller needs their clusters even when no route targets them. */
  readonly targets: TargetListener[];
}

/**
 * Each mirror → a `request_mirror_policies` entry to the target node's `cds_egress_…` cluster;
 * Envoy sends the copies and drops their responses. A target that does not resolve (validation
 * refuses it; this only guards) is left out.
 */
export function requestMirrors(mesh: CompiledMesh, mirrors: readonly RequestMirrorPolicy[]): RenderedMirrors {
  const policies: ProtoJson[] = [];
  const targets: TargetListener[] = [];
  for (const mirror of mirrors) {
    const target = targetListener(mesh, mirror.virtualNode, mirror.port, undefined);
    if (!target || target.protocol === 'tcp') continue;
    policies.push({ cluster: target.clusterName, runtime_fraction: { default_value: millionths(mirror.percentage) } });
    targets.push(target);
  }
  return { policies, targets };
}
