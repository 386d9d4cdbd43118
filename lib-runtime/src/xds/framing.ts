/**
 * Discovery responses framed by hand from cached bytes: each resource's Any was encoded once
 * (resource-cache.ts) and is copied, never re-encoded, into every stream's response, in one buffer
 * of the exact size. The output is byte-for-byte what protobufjs would produce from the
 * equivalent object (see framing.test.ts).
 *
 * Field numbers are those of envoy/service/discovery/v3/discovery.proto.
 */
import type { CachedResource } from './resource-cache';

/** Wire tag of a length-delimited field (field numbers here are all below 16: one byte). */
function tag(field: number): number {
  return field * 8 + 2; // (field << 3) | wire type 2
}

function varintLength(value: number): number {
  let length = 1;
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) length++;
  return length;
}

/** Size of a length-delimited field holding `length` bytes. */
function fieldSize(length: number): number {
  return 1 + varintLength(length) + length;
}

/**
 * Writes the fields of one frame into a buffer sized exactly beforehand: protobufjs' Writer
 * would allocate an operation object per field and copy everything once more at the end, for
 * every response of every stream.
 */
class FrameWriter {
  readonly out: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.out = Buffer.allocUnsafe(size);
  }

  /** A length-delimited field header: tag and length. */
  header(field: number, length: number): this {
    this.out[this.pos++] = tag(field);
    let v = length;
    while (v >= 128) {
      this.out[this.pos++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.out[this.pos++] = v;
    return this;
  }

  string(field: number, value: string, length: number): this {
    this.header(field, length);
    this.pos += this.out.write(value, this.pos, 'utf8');
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.header(field, value.length);
    this.out.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  finish(): Buffer {
    if (this.pos !== this.out.length) throw new Error(`frame size mismatch: wrote ${this.pos} of ${this.out.length} bytes`);
    return this.out;
  }
}

const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

export interface SotwFrame {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: readonly CachedResource[];
  controlPlaneId?: string;
}

/** DiscoveryResponse: version_info 1, resources 2, type_url 4, nonce 5, control_plane 6. */
export function frameSotwResponse(frame: SotwFrame): Buffer {
  const versionLength = utf8Length(frame.versionInfo);
  const typeUrlLength = utf8Length(frame.typeUrl);
  const nonceLength = utf8Length(frame.nonce);
  const idLength = frame.controlPlaneId ? utf8Length(frame.controlPlaneId) : 0;
  let size = fieldSize(versionLength) + fieldSize(typeUrlLength) + fieldSize(nonceLength);
  for (const r of frame.resources) size += fieldSize(r.any.length);
  if (frame.controlPlaneId) size += fieldSize(fieldSize(idLength));
  const w = new FrameWriter(size);
  w.string(1, frame.versionInfo, versionLength);
  for (const r of frame.resources) w.bytes(2, r.any);
  w.string(4, frame.typeUrl, typeUrlLength);
  w.string(5, frame.nonce, nonceLength);
  if (frame.controlPlaneId) w.header(6, fieldSize(idLength)).string(1, frame.controlPlaneId, idLength);
  return w.finish();
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
  const versionLength = utf8Length(frame.systemVersionInfo);
  const typeUrlLength = utf8Length(frame.typeUrl);
  const nonceLength = utf8Length(frame.nonce);
  const idLength = frame.controlPlaneId ? utf8Length(frame.controlPlaneId) : 0;
  let size = fieldSize(versionLength) + fieldSize(typeUrlLength) + fieldSize(nonceLength);
  const resourceLengths = frame.resources.map((r) => fieldSize(utf8Length(r.version)) + fieldSize(r.any.length) + fieldSize(utf8Length(r.name)));
  for (const length of resourceLengths) size += fieldSize(length);
  for (const name of frame.removedResources) size += fieldSize(utf8Length(name));
  if (frame.controlPlaneId) size += fieldSize(fieldSize(idLength));
  const w = new FrameWriter(size);
  w.string(1, frame.systemVersionInfo, versionLength);
  for (let i = 0; i < frame.resources.length; i++) {
    const r = frame.resources[i];
    w.header(2, resourceLengths[i])
      .string(1, r.version, utf8Length(r.version))
      .bytes(2, r.any)
      .string(3, r.name, utf8Length(r.name));
  }
  w.string(4, frame.typeUrl, typeUrlLength);
  w.string(5, frame.nonce, nonceLength);
  for (const name of frame.removedResources) w.string(6, name, utf8Length(name));
  if (frame.controlPlaneId) w.header(7, fieldSize(idLength)).string(1, frame.controlPlaneId, idLength);
  return w.finish();
}
