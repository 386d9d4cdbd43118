/**
 * The resources the server serves, per group of nodes and per type, each encoded ONCE per
 * content version. A stream never encodes a resource: it copies the cached Any bytes into its
 * response frame, so the encoding work of a push does not depend on how many streams receive it.
 *
 * Versions are content hashes: a resource's version is the hash of its encoded bytes, a type's
 * version the hash of its (name, resource version) pairs. So a type's version changes exactly when
 * its content changes (X19), and is the same after a control-plane restart.
 *
 * Most of a snapshot is usually unchanged (a push touches a few resources of a few types), so a
 * resource is first compared with its cached predecessor by the hash of its JSON text, and only
 * resources whose JSON differs are checked and encoded. Objects are proto-JSON data, and the
 * translator's output is deterministic, so equal content gives equal text; text that differs
 * only in key order is caught by the byte hash after encoding.
 */
import { createHash } from 'crypto';
import { encodeAny, encodeResource } from './protos';
import { CLUSTER_TYPE_URL, edsNameOfCluster, resourceNameOf, shortTypeName } from './type-urls';

/** One resource at one content version, with the bytes every stream shares. */
export interface CachedResource {
  readonly typeUrl: string;
  readonly name: string;
  /** Hash of the encoded resource. */
  readonly version: string;
  /** google.protobuf.Any holding the resource, ready to be copied into a DiscoveryResponse. */
  readonly any: Uint8Array;
  /** For clusters: the EDS resource name the cluster asks for, if it uses EDS. */
  readonly edsName?: string;
  /**
   * Hash of the JSON text of the object last set with this content (see jsonHashOf). Mutable:
   * a new text found to encode to the same bytes replaces it even when the type is unchanged
   * and prepare() installs nothing.
   */
  jsonHash?: string;
}

/** All resources of one type for one group, immutable: an update replaces the whole object. */
export interface TypeSnapshot {
  readonly typeUrl: string;
  readonly version: string;
  readonly resources: ReadonlyMap<string, CachedResource>;
}

/** Resources as the layer above hands them in: a list (names read from the objects) or a map by name. */
export type ResourceInput = readonly object[] | ReadonlyMap<string, object> | Readonly<Record<string, object>>;

/** Counters that show the encode-once property (see the fan-out test). */
export interface EncodeStats {
  /** Resource objects checked and encoded to protobuf (each resource whose JSON changed, once). */
  resourceEncodes: number;
  /** Any wrappers built (once per new resource version). */
  anyEncodes: number;
}

/** Hash to a short hex string; 64 bits is plenty to tell versions apart. */
export function shortHash(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/**
 * The hash of an object's JSON text, or undefined when JSON cannot represent it (a bigint), so it
 * is always encoded. JSON does not tell NaN or ±Infinity from null, nor -0 from 0: numbers like
 * those are not valid in Envoy config the translator makes.
 */
function jsonHashOf(object: object): string | undefined {
  try {
    return shortHash(JSON.stringify(object));
  } catch {
    return undefined;
  }
}

/** The version of a set of resources: a hash of their sorted (name, version) pairs. */
export function versionOfSet(resources: Iterable<CachedResource>): string {
  const pairs = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return shortHash(pairs.join('\u0001'));
}

export class ResourceCache {
  readonly stats: EncodeStats = { resourceEncodes: 0, anyEncodes: 0 };
  private readonly groups = new Map<string, Map<string, TypeSnapshot>>();

  /** The current snapshot of a type for a group, or undefined when it was never set. */
  get(group: string, typeUrl: string): TypeSnapshot | undefined {
    return this.groups.get(group)?.get(typeUrl);
  }

  /** Group names that have any resources. */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /**
   * Prepare a new snapshot of one type for one group without installing it. Throws a
   * ResourceEncodingError for an invalid object and an Error for a missing or duplicate name,
   * leaving the cached content untouched (a resource may only learn another JSON text of its
   * bytes). Returns undefined when the content did not change.
   */
  prepare(group: string, typeUrl: string, input: ResourceInput): TypeSnapshot | undefined {
    const previous = this.get(group, typeUrl);
    const entries = toEntries(typeUrl, input);
    const resources = new Map<string, CachedResource>();
    for (const [name, object] of entries) {
      if (resources.has(name)) throw new Error(`duplicate ${shortTypeName(typeUrl)} name "${name}" in group "${group}"`);
      const old = previous?.resources.get(name);
      // Same JSON as the cached resource: same content, already checked and encoded.
      const jsonHash = jsonHashOf(object);
      if (old && jsonHash !== undefined && old.jsonHash === jsonHash) {
        resources.set(name, old);
        continue;
      }
      const bytes = encodeResource(typeUrl, object);
      this.stats.resourceEncodes++;
      const version = shortHash(bytes);
      if (old && old.version === version) {
        // Same bytes from different text (e.g. key order): keep the shared bytes, note the new text.
        if (jsonHash !== undefined) old.jsonHash = jsonHash;
        resources.set(name, old);
        continue;
      }
      const any = encodeAny(typeUrl, bytes);
      this.stats.anyEncodes++;
      const edsName = typeUrl === CLUSTER_TYPE_URL ? edsNameOfCluster(object) : undefined;
      resources.set(name, {
        typeUrl, name, version, any, ...(edsName !== undefined ? { edsName } : {}), ...(jsonHash !== undefined ? { jsonHash } : {}),
      });
    }
    const version = versionOfSet(resources.values());
    if (previous && previous.version === version) return undefined;
    return { typeUrl, version, resources };
  }

  /** Install a snapshot made by prepare(). */
  install(group: string, snapshot: TypeSnapshot): void {
    let types = this.groups.get(group);
    if (!types) {
      types = new Map();
      this.groups.set(group, types);
    }
    types.set(snapshot.typeUrl, snapshot);
  }

  /** Forget a group entirely; returns whether it existed. */
  deleteGroup(group: string): boolean {
    return this.groups.delete(group);
  }

  /** Forget one type of a group (as if never set); returns whether it existed. */
  deleteType(group: string, typeUrl: string): boolean {
    return this.groups.get(group)?.delete(typeUrl) ?? false;
  }
}

function toEntries(typeUrl: string, input: ResourceInput): Array<[string, object]> {
  if (Array.isArray(input)) return (input as readonly object[]).map((object) => [resourceNameOf(typeUrl, object), object]);
  const entries = input instanceof Map
    ? [...(input as ReadonlyMap<string, object>).entries()]
    : Object.entries(input as Readonly<Record<string, object>>);
  for (const [key, object] of entries) {
    // The client files a resource under the name inside it; a different key would be a silent mismatch.
    const inner = resourceNameOf(typeUrl, object);
    if (inner !== key) throw new Error(`${shortTypeName(typeUrl)} "${inner}" was given under the name "${key}"`);
  }
  return entries;
}
