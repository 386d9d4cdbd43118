/**
 * Resources whose repeated sub-messages are shared: a fleet's route configurations each list a
 * different set of virtual hosts, but a virtual host (one service's routes) is the same object in
 * every route configuration that calls the service. A change to one service's routes gives every
 * caller a new route configuration that holds, besides the changed host, the same hosts as
 * before. So for these fields the element objects are checked, hashed and encoded once each
 * (remembered by identity), and a resource's text key and bytes are put together from them.
 *
 * The bytes are exactly what encoding the whole object gives: protobufjs writes fields in field
 * number order, each on its own, so the fields numbered below the shared one, then each element
 * under the field's tag, then the fields above it, is the same sequence.
 */
import type * as protobuf from 'protobufjs';
import { ROUTE_TYPE_URL } from './type-urls';

/** Type URL → the repeated message field whose elements are shared between resources. */
const SHARED_ELEMENT_FIELDS: ReadonlyMap<string, string> = new Map([[ROUTE_TYPE_URL, 'virtual_hosts']]);

/** A resource split around its shared field, or undefined when it has no such field set. */
export interface SplitResource {
  readonly field: protobuf.Field;
  /** The fields numbered below the shared one. */
  readonly before: Record<string, unknown>;
  readonly elements: readonly object[];
  /** The fields numbered above it. */
  readonly after: Record<string, unknown>;
}

/**
 * Splits `resource` around its type's shared field (see SHARED_ELEMENT_FIELDS). `typeOf` gives
 * the message type; it is asked only for a type that has such a field.
 */
export function splitResource(typeUrl: string, resource: object, typeOf: () => protobuf.Type): SplitResource | undefined {
  const fieldName = SHARED_ELEMENT_FIELDS.get(typeUrl);
  if (fieldName === undefined) return undefined;
  const record = resource as Record<string, unknown>;
  const elements = record[fieldName];
  if (!Array.isArray(elements) || !elements.every(isObject)) return undefined;
  const type = typeOf();
  const field = type.fields[fieldName];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === fieldName) continue;
    // Own properties only (a key such as `constructor` is no field). Keys that are no field
    // ('@type', misspellings) go with the rest: the check reports them.
    const other = Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    (other !== undefined && other.id < field.id ? before : after)[key] = record[key];
  }
  return { field, before, elements, after };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A per-element value computed once per element object. */
export class ElementMemo<T> {
  private readonly values = new WeakMap<object, T>();

  get(element: object, compute: () => T): T {
    let value = this.values.get(element);
    if (value === undefined) {
      value = compute();
      this.values.set(element, value);
    }
    return value;
  }
}
