/**
 * Discovery responses framed by hand from cached bytes: each resource's Any was encoded once
 * (resource-cache.ts) and is copied, never re-encoded, into every stream's response. The output is
 * byte-for-byte what protobufjs would produce from the equivalent object (see framing.test.ts).
 *
 * Field numbers are those of envoy/service/discovery/v3/discovery.proto.
 */
import { Writer } from 'protobufjs';
import type { CachedResource } from './resource-cache';

/** Wire tag of a length-delimited field. */
function tag(field: number): number {
  return field * 8 + 2; // (field << 3) | wire type 2
}

export interface SotwFrame {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: readonly CachedResource[];
  controlPlaneId?: string;
}

/** DiscoveryResponse: version_info 1, resources 2, type_url 4, nonce 5, control_plane 6. */
export function frameSotwResponse(frame: SotwFrame): Buffer {
  const w = Writer.create();
  w.uint32(tag(1)).string(frame.versionInfo);
  for (const r of frame.resources) w.uint32(tag(2)).bytes(r.any);
  w.uint32(tag(4)).string(frame.typeUrl);
  w.uint32(tag(5)).string(frame.nonce);
  if (frame.controlPlaneId) w.uint32(tag(6)).fork().uint32(tag(1)).string(frame.controlPlaneId).ldelim();
  return toBuffer(w.finish());
}

export interface DeltaFrame {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: readonly CachedResource[];
  removedResources: readonly string[];
  controlPlaneId?: string;
}

/**
 * DeltaDiscoveryResponse: system_version_info 1, resources 2 (Resource: version 1, resource 2,
 * name 3), type_url 4, nonce 5, removed_resources 6, control_plane 7.
 */
export function frameDeltaResponse(frame: DeltaFrame): Buffer {
  const w = Writer.create();
  w.uint32(tag(1)).string(frame.systemVersionInfo);
  for (const r of frame.resources) {
    w.uint32(tag(2)).fork()
      .uint32(tag(1)).string(r.version)
      .uint32(tag(2)).bytes(r.any)
      .uint32(tag(3)).string(r.name)
      .ldelim();
  }
  w.uint32(tag(4)).string(frame.typeUrl);
  w.uint32(tag(5)).string(frame.nonce);
  for (const name of frame.removedResources) w.uint32(tag(6)).string(name);
  if (frame.controlPlaneId) w.uint32(tag(7)).fork().uint32(tag(1)).string(frame.controlPlaneId).ldelim();
  return toBuffer(w.finish());
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
