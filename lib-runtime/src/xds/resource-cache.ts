/**
 * The resources the server serves, per group of nodes and per type, each encoded ONCE per
 * content version. A stream never encodes a resource: it copies the cached Any bytes into its
 * response frame, so the encoding work of a push does not depend on how many streams receive it.
 *
 * Versions are content hashes: a resource's version is the hash of its encoded bytes, a type's
 * version the hash of its (name, resource version) pairs. So a type's version changes exactly when
 * its content changes (X19), and is the same after a control-plane restart.
 *
 * Most of a snapshot is usually unchanged, and groups of a fleet hold many equal resources (every
 * caller of a service holds its clusters), so an object handed in is recognised before encoding:
 * - by identity: an object already prepared is the same content (objects handed in are treated as
 *   immutable; the translator shares one object among the nodes that hold the same resource);
 * - by the hash of its JSON text, against every resource some group holds: equal text is equal
 *   content (proto-JSON data; the translator's output is deterministic), and text that differs
 *   only in key order is caught by the byte hash after encoding.
 * A content version is therefore encoded and stored once for all the groups that hold it.
 */
import { hash } from 'crypto';
import { encodeAny, encodeResource, messageTypeOfUrl } from './protos';
import { ElementMemo, splitResource } from './shared-elements';
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
}

/** All resources of one type for one group, immutable: an update replaces the whole object. */
export interface TypeSnapshot {
  readonly typeUrl: string;
  readonly version: string;
  readonly resources: ReadonlyMap<string, CachedResource>;
}

/**
 * Every type of one group as installed. Immutable like its snapshots, so it can be installed
 * again later, in this group or another, with nothing validated, hashed or encoded again.
 */
export type GroupContent = ReadonlyMap<string, TypeSnapshot>;

/** Resources as the layer above hands them in: a list (names read from the objects) or a map by name. */
export type ResourceInput = readonly object[] | ReadonlyMap<string, object> | Readonly<Record<string, object>>;

/** Counters that show the encode-once property (see the fan-out test). */
export interface EncodeStats {
  /** Resource objects checked and encoded to protobuf (each resource whose JSON no group holds, once). */
  resourceEncodes: number;
  /** Any wrappers built (once per new resource version). */
  anyEncodes: number;
}

/** Hash to a short hex string; 64 bits is plenty to tell versions apart. */
export function shortHash(data: string | Uint8Array): string {
  // One-shot: a Hash object per call cost more than the hashing (every resource handed in is hashed).
  // Not hex then slice(0, 16): a sliced string keeps the whole 64-digit text alive, and versions are
  // held per resource, snapshot and stream.
  return hash('sha256', data, 'buffer').toString('hex', 0, 8);
}

/**
 * The hash of an object's JSON text, or undefined when JSON cannot represent it (a bigint), so it
 * is always encoded. JSON does not tell NaN or ±Infinity from null, nor -0 from 0: numbers like
 * those are not valid in Envoy config the translator makes.
 */
function jsonHashOf(typeUrl: string, object: object): string | undefined {
  try {
    const split = splitResource(typeUrl, object, () => messageTypeOfUrl(typeUrl));
    if (!split) return shortHash(JSON.stringify(object));
    // Shared elements are hashed once each (shared-elements.ts); the key stands for the same content.
    const elements = split.elements.map((element) => elementHashes.get(element, () => shortHash(JSON.stringify(element))));
    return shortHash(`${JSON.stringify(split.before)}\u0001${elements.join(',')}\u0001${JSON.stringify(split.after)}`);
  } catch {
    return undefined;
  }
}

const elementHashes = new ElementMemo<string>();

/** The version of a set of resources: a hash of their sorted (name, version) pairs. */
export function versionOfSet(resources: Iterable<CachedResource>): string {
  const pairs = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return shortHash(pairs.join('\u0001'));
}

/** A content version: how many installed type snapshots hold it, and the text keys it is found by. */
interface Stored {
  refs: number;
  /** `<type>\0<JSON hash>` of every text seen to encode to it. */
  readonly texts: string[];
}

export class ResourceCache {
  readonly stats: EncodeStats = { resourceEncodes: 0, anyEncodes: 0 };
  private readonly groups = new Map<string, Map<string, TypeSnapshot>>();
  /** Every resource made, with its bookkeeping (dropped with the resource once nothing refers to it). */
  private readonly entries = new WeakMap<CachedResource, Stored>();
  /** Held content (in an installed snapshot) by `<type>\0<version>` and by text key. */
  private readonly byVersion = new Map<string, CachedResource>();
  private readonly byText = new Map<string, CachedResource>();
  /** Objects already prepared: recognised without serialising them again. */
  private readonly byObject = new WeakMap<object, CachedResource>();
  private heldCount = 0;

  /** The current snapshot of a type for a group, or undefined when it was never set. */
  get(group: string, typeUrl: string): TypeSnapshot | undefined {
    return this.groups.get(group)?.get(typeUrl);
  }

  /** A group's content (every type set for it), or undefined when it has none. */
  contentOf(group: string): GroupContent | undefined {
    const types = this.groups.get(group);
    return types ? new Map(types) : undefined;
  }

  /** Group names that have any resources. */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** How many distinct content versions installed snapshots hold (one shared by many groups counts once). */
  get storedResources(): number {
    return this.heldCount;
  }

  /**
   * Prepare a new snapshot of one type for one group without installing it. Throws a
   * ResourceEncodingError for an invalid object and an Error for a missing or duplicate name,
   * leaving the cached content untouched. Returns undefined when the content did not change.
   */
  prepare(group: string, typeUrl: string, input: ResourceInput): TypeSnapshot | undefined {
    const previous = this.get(group, typeUrl);
    const entries = toEntries(typeUrl, input);
    const resources = new Map<string, CachedResource>();
    for (const [name, object] of entries) {
      if (resources.has(name)) throw new Error(`duplicate ${shortTypeName(typeUrl)} name "${name}" in group "${group}"`);
      resources.set(name, this.resourceOf(typeUrl, object));
    }
    // The usual case of a re-render: every resource found as held already, so the set is the same.
    if (previous && sameResources(previous.resources, resources)) return undefined;
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
    // Hold the new content before letting go of the old: what both share stays stored.
    for (const resource of snapshot.resources.values()) this.hold(resource);
    const previous = types.get(snapshot.typeUrl);
    types.set(snapshot.typeUrl, snapshot);
    if (previous) this.releaseAll(previous);
  }

  /**
   * Install content taken with contentOf (from this cache) in a group: the types whose version
   * differs replace the group's, the others are left as they are. Returns the types installed.
   */
  installContent(group: string, content: GroupContent): string[] {
    const changed = [...content.values()].filter((snapshot) => this.get(group, snapshot.typeUrl)?.version !== snapshot.version);
    for (const snapshot of changed) {
      for (const resource of snapshot.resources.values()) {
        if (!this.entries.has(resource)) throw new Error(`${shortTypeName(snapshot.typeUrl)} "${resource.name}" was not made by this cache`);
      }
    }
    for (const snapshot of changed) this.install(group, snapshot);
    return changed.map((snapshot) => snapshot.typeUrl);
  }

  /** Forget a group entirely; returns whether it existed. */
  deleteGroup(group: string): boolean {
    const types = this.groups.get(group);
    if (!types) return false;
    this.groups.delete(group);
    for (const snapshot of types.values()) this.releaseAll(snapshot);
    return true;
  }

  /** Forget one type of a group (as if never set); returns whether it existed. */
  deleteType(group: string, typeUrl: string): boolean {
    const types = this.groups.get(group);
    const snapshot = types?.get(typeUrl);
    if (!snapshot) return false;
    types!.delete(typeUrl);
    this.releaseAll(snapshot);
    return true;
  }

  /** The cached content of one object: known by identity, by JSON text, by bytes, or new. */
  private resourceOf(typeUrl: string, object: object): CachedResource {
    const known = this.byObject.get(object);
    if (known && known.typeUrl === typeUrl) return known;
    const jsonHash = jsonHashOf(typeUrl, object);
    const text = jsonHash === undefined ? undefined : `${typeUrl}\u0000${jsonHash}`;
    let resource = text === undefined ? undefined : this.byText.get(text);
    if (!resource) {
      const bytes = encodeResource(typeUrl, object);
      this.stats.resourceEncodes++;
      const version = shortHash(bytes);
      resource = this.byVersion.get(`${typeUrl}\u0000${version}`);
      if (!resource) {
        const any = encodeAny(typeUrl, bytes);
        this.stats.anyEncodes++;
        const edsName = typeUrl === CLUSTER_TYPE_URL ? edsNameOfCluster(object) : undefined;
        resource = { typeUrl, name: resourceNameOf(typeUrl, object), version, any, ...(edsName !== undefined ? { edsName } : {}) };
        this.entries.set(resource, { refs: 0, texts: [] });
      }
      // Same bytes from a new text (e.g. another key order): the text finds them from now on.
      if (text !== undefined) this.addText(resource, text);
    }
    this.byObject.set(object, resource);
    return resource;
  }

  private addText(resource: CachedResource, text: string): void {
    const entry = this.entries.get(resource)!;
    if (entry.texts.includes(text)) return;
    entry.texts.push(text);
    if (entry.refs > 0 && !this.byText.has(text)) this.byText.set(text, resource);
  }

  private hold(resource: CachedResource): void {
    const entry = this.entries.get(resource)!;
    if (entry.refs++ > 0) return;
    this.heldCount++;
    const key = `${resource.typeUrl}\u0000${resource.version}`;
    if (!this.byVersion.has(key)) this.byVersion.set(key, resource);
    for (const text of entry.texts) if (!this.byText.has(text)) this.byText.set(text, resource);
  }

  private releaseAll(snapshot: TypeSnapshot): void {
    for (const resource of snapshot.resources.values()) {
      const entry = this.entries.get(resource)!;
      if (--entry.refs > 0) continue;
      this.heldCount--;
      const key = `${resource.typeUrl}\u0000${resource.version}`;
      if (this.byVersion.get(key) === resource) this.byVersion.delete(key);
      for (const text of entry.texts) if (this.byText.get(text) === resource) this.byText.delete(text);
    }
  }
}

/** Whether two sets hold the same resource objects under the same names (so the same version). */
function sameResources(a: ReadonlyMap<string, CachedResource>, b: ReadonlyMap<string, CachedResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, resource] of b) if (a.get(name) !== resource) return false;
  return true;
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
