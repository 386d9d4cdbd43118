import { APPMESH_SPEC_SCHEMA } from './appmesh-schema';
import { EXTENSION_SCHEMA, ExtensionRootName } from './extensions/extension-schema';

/**
 * A small interpreter for the generated App Mesh JSON schema.
 *
 * It supports exactly the keywords the schema uses ($ref, type, properties, required,
 * additionalProperties:false, minProperties/maxProperties, minLength/maxLength, pattern,
 * enum, minimum/maximum, minItems/maxItems, items) and refuses a schema that uses any
 * other, so a regenerated schema cannot silently lose checks. The schema is compiled
 * once into a graph of shapes; checking walks a value and that graph together.
 */

/** Receives one structural problem: the full path and a message naming the limit. */
export type SchemaProblemSink = (path: string, message: string) => void;

/** Names of the seven resource spec roots of the schema. */
export type SchemaRootName =
  | 'MeshSpec'
  | 'VirtualNodeSpec'
  | 'VirtualServiceSpec'
  | 'VirtualRouterSpec'
  | 'RouteSpec'
  | 'VirtualGatewaySpec'
  | 'GatewayRouteSpec';

interface PropertySlot {
  readonly shape: Shape;
  /** `Owner.property`, used in messages. */
  readonly label: string;
}

interface ObjectShape {
  readonly kind: 'object';
  readonly name: string;
  readonly properties: Map<string, PropertySlot>;
  readonly required: readonly string[];
  readonly closed: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly enumValues?: readonly unknown[];
}

interface ArrayShape {
  readonly kind: 'array';
  readonly name: string;
  readonly items?: Shape;
  readonly itemLabel: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly enumValues?: readonly unknown[];
}

interface StringShape {
  readonly kind: 'string';
  readonly name: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly enumValues?: readonly unknown[];
}

interface NumberShape {
  readonly kind: 'integer' | 'number';
  readonly name: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enumValues?: readonly unknown[];
}

interface PlainShape {
  readonly kind: 'boolean' | 'any';
  readonly name: string;
  readonly enumValues?: readonly unknown[];
}

type Shape = ObjectShape | ArrayShape | StringShape | NumberShape | PlainShape;

/** Every keyword this interpreter understands; anything else in the schema is an error. */
const KNOWN_KEYWORDS = new Set([
  '$ref', 'type', 'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties',
  'minLength', 'maxLength', 'pattern', 'enum', 'minimum', 'maximum', 'minItems', 'maxItems', 'items',
  'description', 'title',
]);

const REF_PREFIX = '#/$defs/';

/** The schema compiled into shapes, with the roots by name. */
class CompiledSchema {
  private readonly defs: Record<string, any>;
  private readonly compiled = new Map<string, Shape>();

  constructor(schema: any) {
    this.defs = schema.$defs;
  }

  /** The shape of a named definition (compiled once, cycles allowed). */
  public definition(name: string): Shape {
    const done = this.compiled.get(name);
    if (done) return done;
    const def = this.defs[name];
    if (def === undefined) throw new Error(`mesh-spec schema: unknown definition ${name}`);
    return this.compile(def, name);
  }

  private compile(node: any, name: string): Shape {
    for (const key of Object.keys(node)) {
      if (!KNOWN_KEYWORDS.has(key)) throw new Error(`mesh-spec schema: keyword "${key}" in ${name} is not supported`);
    }
    if (typeof node.$ref === 'string') {
      if (!node.$ref.startsWith(REF_PREFIX)) throw new Error(`mesh-spec schema: unsupported $ref ${node.$ref}`);
      return this.definition(node.$ref.slice(REF_PREFIX.length));
    }
    const enumValues: readonly unknown[] | undefined = node.enum;
    switch (node.type) {
      case 'object': {
        if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
          throw new Error(`mesh-spec schema: ${name}.additionalProperties must be false or absent`);
        }
        const properties = new Map<string, PropertySlot>();
        const shape: ObjectShape = {
          kind: 'object',
          name,
          properties,
          required: node.required ?? [],
          closed: node.additionalProperties === false,
          minProperties: node.minProperties,
          maxProperties: node.maxProperties,
          enumValues,
        };
        // Registered before the properties compile, so a recursive $ref finds it.
        this.compiled.set(name, shape);
        for (const [prop, sub] of Object.entries<any>(node.properties ?? {})) {
          properties.set(prop, { shape: this.compile(sub, `${name}.${prop}`), label: `${name}.${prop}` });
        }
        return shape;
      }
      case 'array': {
        const itemsRef: string | undefined = node.items?.$ref;
        const shape: ArrayShape = {
          kind: 'array',
          name,
          itemLabel: itemsRef?.startsWith(REF_PREFIX) ? itemsRef.slice(REF_PREFIX.length) : `${name}[]`,
          minItems: node.minItems,
          maxItems: node.maxItems,
          enumValues,
          items: undefined,
        };
        this.compiled.set(name, shape);
        if (node.items !== undefined) (shape as { items?: Shape }).items = this.compile(node.items, `${name}[]`);
        return this.remember(name, shape);
      }
      case 'string':
        return this.remember(name, {
          kind: 'string',
          name,
          minLength: node.minLength,
          maxLength: node.maxLength,
          pattern: node.pattern !== undefined ? new RegExp(node.pattern, 'u') : undefined,
          enumValues,
        });
      case 'integer':
      case 'number':
        return this.remember(name, { kind: node.type, name, minimum: node.minimum, maximum: node.maximum, enumValues });
      case 'boolean':
        return this.remember(name, { kind: 'boolean', name, enumValues });
      case undefined:
        return this.remember(name, { kind: 'any', name, enumValues });
      default:
        throw new Error(`mesh-spec schema: type ${JSON.stringify(node.type)} in ${name} is not supported`);
    }
  }

  private remember(name: string, shape: Shape): Shape {
    // Only named definitions are shared; inline sub-schemas carry dotted names and stay private.
    if (this.defs[name] !== undefined) this.compiled.set(name, shape);
    return shape;
  }
}

let compiledSchema: CompiledSchema | undefined;

/**
 * The App Mesh schema and the extension schema (docs/policies.md) compiled together, so an
 * extension definition may refer to an App Mesh one (`Duration`). A name in both is a bug.
 */
function appMeshSchema(): CompiledSchema {
  if (compiledSchema === undefined) {
    const appMeshDefs = APPMESH_SPEC_SCHEMA.$defs as Record<string, unknown>;
    const extensionDefs = EXTENSION_SCHEMA.$defs as Record<string, unknown>;
    const clash = Object.keys(extensionDefs).find(name => name in appMeshDefs);
    if (clash !== undefined) throw new Error(`mesh-spec schema: extension definition ${clash} is also an App Mesh definition`);
    compiledSchema = new CompiledSchema({ $defs: { ...appMeshDefs, ...extensionDefs } });
  }
  return compiledSchema;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders the key stack as `.a.b[0]["odd key"]` after the root path. */
export function renderPath(root: string, keys: readonly (string | number)[]): string {
  let out = root;
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** Short, readable rendering of an offending value. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
      return JSON.stringify(text);
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** `5000–300000 ms`, `at least 1`, `at most 10`, with the unit the field name implies. */
function rangeText(label: string, min: number | undefined, max: number | undefined): string {
  const unit = /Millis$/.test(label) ? ' ms' : '';
  if (min !== undefined && max !== undefined) return `${min}–${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  return `at most ${max}${unit}`;
}

function countText(noun: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min} ${min === 1 ? noun.replace(/s$/, '') : noun}` : `${min}–${max} ${noun}`;
  if (min !== undefined) return `at least ${min} ${noun}`;
  return `at most ${max} ${noun}`;
}

const TYPE_NAMES: Record<Shape['kind'], string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  any: 'a value',
};

/** One walk of a value against a shape; keeps the key stack and the problem count. */
class SchemaWalk {
  public problems = 0;
  private readonly keys: (string | number)[] = [];

  constructor(
    private readonly rootPath: string,
    private readonly sink: SchemaProblemSink,
    private readonly isUnresolved: ((value: unknown) => boolean) | undefined,
  ) {}

  public check(shape: Shape, value: unknown, label: string): void {
    if (this.isUnresolved !== undefined && this.isUnresolved(value)) return;
    if (shape.enumValues !== undefined && !shape.enumValues.includes(value)) {
      const allowed = shape.enumValues.map(v => JSON.stringify(v)).join(', ');
      this.fail(`${describeValue(value)} is not one of ${allowed} (${label})`);
      return;
    }
    switch (shape.kind) {
      case 'object': return this.checkObject(shape, value, label);
      case 'array': return this.checkArray(shape, value, label);
      case 'string': return this.checkString(shape, value, label);
      case 'integer':
      case 'number': return this.checkNumber(shape, value, label);
      case 'boolean':
        if (typeof value !== 'boolean') this.wrongType(shape, value, label);
        return;
      case 'any': return;
    }
  }

  private checkObject(shape: ObjectShape, value: unknown, label: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.wrongType(shape, value, label);
      return;
    }
    const record = value as Record<string, unknown>;
    let present = 0;
    for (const key in record) {
      const child = record[key];
      if (child === undefined) continue; // an absent optional field in TypeScript-built specs
      present++;
      const slot = shape.properties.get(key);
      this.keys.push(key);
      if (slot !== undefined) {
        this.check(slot.shape, child, slot.label);
      } else if (shape.closed) {
        this.fail(`unknown field (${shape.name} has ${[...shape.properties.keys()].join(', ')})`);
      }
      this.keys.pop();
    }
    for (const key of shape.required) {
      if (record[key] === undefined) {
        this.keys.push(key);
        this.fail(`missing required field (${shape.name}.${key})`);
        this.keys.pop();
      }
    }
    const min = shape.minProperties;
    const max = shape.maxProperties;
    if ((min !== undefined && present < min) || (max !== undefined && present > max)) {
      const members = [...shape.properties.keys()].join(', ');
      const set = Object.keys(record).filter(k => record[k] !== undefined);
      if (min === 1 && max === 1) {
        const found = set.length === 0 ? 'none is set' : `${set.join(' and ')} are set`;
        this.fail(`set exactly one of ${members}; ${found} (${shape.name})`);
      } else {
        this.fail(`${set.length} fields set, ${countText('allowed', min, max)} (${shape.name})`);
      }
    }
  }

  private checkArray(shape: ArrayShape, value: unknown, label: string): void {
    if (!Array.isArray(value)) {
      this.wrongType(shape, value, label);
      return;
    }
    const { minItems, maxItems } = shape;
    if (minItems !== undefined && value.length < minItems) {
      this.fail(`${value.length} items is below the minimum ${minItems} (${label}, ${countText('items', minItems, maxItems)})`);
    } else if (maxItems !== undefined && value.length > maxItems) {
      this.fail(`${value.length} items is above the maximum ${maxItems} (${label}, ${countText('items', minItems, maxItems)})`);
    }
    const items = shape.items;
    if (items === undefined) return;
    for (let i = 0; i < value.length; i++) {
      this.keys.push(i);
      this.check(items, value[i], shape.itemLabel);
      this.keys.pop();
    }
  }

  private checkString(shape: StringShape, value: unknown, label: string): void {
    if (typeof value !== 'string') {
      this.wrongType(shape, value, label);
      return;
    }
    const { minLength, maxLength, pattern } = shape;
    // Lengths count code points, as the service does.
    const length = minLength !== undefined || maxLength !== undefined ? codePointLength(value) : 0;
    if (minLength !== undefined && length < minLength) {
      const what = length === 0 ? 'is empty' : `has ${length} characters`;
      this.fail(`${describeValue(value)} ${what}, below the minimum length ${minLength} (${label}, length ${rangeText('', minLength, maxLength)})`);
    } else if (maxLength !== undefined && length > maxLength) {
      this.fail(`${describeValue(value)} has ${length} characters, above the maximum length ${maxLength} (${label}, length ${rangeText('', minLength, maxLength)})`);
    } else if (pattern !== undefined && !pattern.test(value)) {
      this.fail(`${describeValue(value)} does not match the pattern ${pattern.source} (${label})`);
    }
  }

  private checkNumber(shape: NumberShape, value: unknown, label: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || (shape.kind === 'integer' && !Number.isInteger(value))) {
      this.wrongType(shape, value, label);
      return;
    }
    const { minimum, maximum } = shape;
    if (minimum !== undefined && value < minimum) {
      this.fail(`${value} is below the minimum ${minimum} (${label}, ${rangeText(label, minimum, maximum)})`);
    } else if (maximum !== undefined && value > maximum) {
      this.fail(`${value} is above the maximum ${maximum} (${label}, ${rangeText(label, minimum, maximum)})`);
    }
  }

  private wrongType(shape: Shape, value: unknown, label: string): void {
    this.fail(`expected ${TYPE_NAMES[shape.kind]}, got ${describeValue(value)} (${label})`);
  }

  private fail(message: string): void {
    this.problems++;
    this.sink(renderPath(this.rootPath, this.keys), message);
  }
}

function codePointLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // Skip the low half of a surrogate pair: the pair is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) i++;
    count++;
  }
  return count;
}

/**
 * Checks `value` against the schema root `root` (e.g. `VirtualNodeSpec`), reporting each
 * problem with a path under `rootPath`. Values for which `isUnresolved` is true (CDK tokens)
 * are not checked. Returns the number of problems found.
 */
export function checkAgainstSchema(
  root: SchemaRootName | ExtensionRootName,
  value: unknown,
  rootPath: string,
  sink: SchemaProblemSink,
  isUnresolved?: (value: unknown) => boolean,
): number {
  const walk = new SchemaWalk(rootPath, sink, isUnresolved);
  walk.check(appMeshSchema().definition(root), value, root);
  return walk.problems;
}
