import * as fc from 'fast-check';

/**
 * Random structural mutations of a JSON document, as fast-check arbitraries. A mutation is drawn
 * without knowing the document: it names its target by a number that picks one of the document's
 * places when applied, so fast-check can shrink a failing case to fewer, simpler mutations.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys and indexes from the document root to a value. */
type Place = readonly (string | number)[];

export type Mutation =
  /** Remove a field or a list entry. */
  | { readonly kind: 'delete'; readonly at: number }
  /** Put a value of another JSON type (or a limit number, a special string, deep nesting) in a place. */
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  /** Copy a list entry next to itself (duplicate resource, listener, target…). */
  | { readonly kind: 'duplicate'; readonly at: number }
  /** Give a field another name: a key seen elsewhere in the document, or a special one. */
  | { readonly kind: 'renameKey'; readonly at: number; readonly to: string | number }
  /** Put a string found elsewhere in the document in a place (names that refer to the wrong thing). */
  | { readonly kind: 'copyString'; readonly at: number; readonly from: number }
  /**
   * Change a number, string or boolean to another of its type (a limit number, a special
   * string, the other boolean): mostly still valid, so these reach translation.
   */
  | { readonly kind: 'sameType'; readonly at: number; readonly number: number; readonly text: string };

/** Names that are trouble in a plain-object lookup. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

/**
 * The deepest nesting generated: issue #11's 10,000-deep value (the spec reader refuses it by
 * depth). Deeper than JSON.stringify can write, so the document holds a marker string that
 * `serialize` writes out as the nested text.
 */
const MAX_NESTING = 10_000;
const NESTING_MARKER = /"\\u0000nest:(\d+):([ao])"/g;

/** Mutations target places at most this deep: enough for any spec field. */
const MAX_PLACE_DEPTH = 100;

/** Integers and fractions at and just past the limits the schema and Envoy's protos care about. */
const LIMIT_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 0.5, 1e-9, 100, 101, 255, 256, 1000, 1001, 65535, 65536, 86400000, 2 ** 31 - 1, 2 ** 31,
  -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1.7976931348623157e308, -1.7976931348623157e308,
];

const SPECIAL_STRINGS: readonly string[] = [
  '', ' ', '.', '..', '*', '/', 'a/b', 'a@b', 'mesh/a/virtualNode/b', '%START_TIME%', '\\', '(', '[', '^$', '\u0000', '\n',
  '\ud800', '\u00e9', '\u{1f600}', 'a'.repeat(255), 'a'.repeat(256), 'x'.repeat(100_000), 'http', 'grpc', 'tcp', 'STRICT',
  ...PROTOTYPE_NAMES,
];

/** The JSON text of a mutated document, nesting markers written out. */
export function serialize(doc: Json): string {
  return JSON.stringify(doc).replace(NESTING_MARKER, (_, depth: string, kind: string) => {
    const n = Number(depth);
    return kind === 'a' ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
  });
}

/** A value for `replace`: any JSON type, with the edge cases weighted in. */
const replacementValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...LIMIT_NUMBERS),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.tuple(fc.integer({ min: 2, max: MAX_NESTING }), fc.constantFrom('a', 'o')).map(([depth, kind]) => `\u0000nest:${depth}:${kind}`),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('sameType' as const),
      at: fc.nat(),
      number: fc.oneof(fc.constantFrom(...LIMIT_NUMBERS), fc.integer({ min: -1, max: 70000 })),
      text: fc.oneof(fc.constantFrom(...SPECIAL_STRINGS), fc.string({ maxLength: 20 })),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: replacementValue }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('renameKey' as const), at: fc.nat(), to: fc.oneof(fc.nat(), fc.constantFrom(...PROTOTYPE_NAMES, '', 'x')) }),
  fc.record({ kind: fc.constant('copyString' as const), at: fc.nat(), from: fc.nat() }),
);

/**
 * One to four mutations, mostly one: every further change is another chance of a validation
 * error, and cases that pass validation are the ones that reach translation.
 */
export const mutations: fc.Arbitrary<Mutation[]> = fc.oneof(
  { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.array(mutation, { minLength: 2, maxLength: 4 }), weight: 1 },
);

/** A mutated copy of `doc`; the input is not changed. */
export function mutate(doc: Json, list: readonly Mutation[]): Json {
  let root = JSON.parse(JSON.stringify(doc)) as Json;
  for (const m of list) root = apply(root, m);
  return root;
}

function apply(root: Json, m: Mutation): Json {
  const places = placesOf(root);
  switch (m.kind) {
    case 'delete': {
      const place = pick(places.filter(p => p.length > 0), m.at);
      if (place) remove(root, place);
      return root;
    }
    case 'replace':
      // A copy: later mutations change the document in place, and fast-check reuses its values.
      return set(root, pick(places, m.at)!, JSON.parse(JSON.stringify(m.value)) as Json);
    case 'duplicate': {
      const place = pick(places.filter(p => typeof p[p.length - 1] === 'number'), m.at);
      if (place) {
        const list = get(root, place.slice(0, -1)) as Json[];
        const index = place[place.length - 1] as number;
        list.splice(index, 0, JSON.parse(JSON.stringify(list[index])) as Json);
      }
      return root;
    }
    case 'renameKey': {
      const place = pick(places.filter(p => typeof p[p.length - 1] === 'string'), m.at);
      if (place) {
        const keys = places.flatMap(p => (typeof p[p.length - 1] === 'string' ? [p[p.length - 1] as string] : []));
        const to = typeof m.to === 'number' ? keys[m.to % keys.length] : m.to;
        renameKey(get(root, place.slice(0, -1)) as { [key: string]: Json }, place[place.length - 1] as string, to);
      }
      return root;
    }
    case 'sameType': {
      const place = pick(places.filter(p => ['number', 'string', 'boolean'].includes(typeof get(root, p))), m.at);
      if (!place) return root;
      const was = get(root, place);
      return set(root, place, typeof was === 'number' ? m.number : typeof was === 'string' ? m.text : !was);
    }
    case 'copyString': {
      const strings = places.filter(p => typeof get(root, p) === 'string');
      const place = pick(strings, m.at);
      const from = pick(strings, m.from);
      return place && from ? set(root, place, get(root, from)) : root;
    }
  }
}

/** Every place in the document down to MAX_PLACE_DEPTH, the root first, depth first. */
function placesOf(root: Json): Place[] {
  const out: Place[] = [];
  const visit = (value: Json, place: Place) => {
    out.push(place);
    if (place.length >= MAX_PLACE_DEPTH) return;
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...place, i]));
    else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) visit(value[key], [...place, key]);
  };
  visit(root, []);
  return out;
}

function pick(places: Place[], n: number): Place | undefined {
  return places.length === 0 ? undefined : places[n % places.length];
}

function get(root: Json, place: Place): Json {
  let value = root;
  for (const step of place) value = (value as { [key: string]: Json })[step];
  return value;
}

/** Sets a place (the root: returns the new root), defining (not assigning) keys, so a key `__proto__` stays an own field. */
function set(root: Json, place: Place, value: Json): Json {
  if (place.length === 0) return value;
  const parent = get(root, place.slice(0, -1)) as { [key: string]: Json };
  Object.defineProperty(parent, place[place.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

function remove(root: Json, place: Place): void {
  const parent = get(root, place.slice(0, -1));
  const last = place[place.length - 1];
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as { [key: string]: Json })[last];
}

/** Renames a key in place, keeping the key order (which the canonical form may not, but the reader must cope). */
function renameKey(object: { [key: string]: Json }, from: string, to: string): void {
  const entries = Object.entries(object).map(([key, value]): [string, Json] => [key === from ? to : key, value]);
  for (const key of Object.keys(object)) delete object[key];
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
