import { ImportError } from '../import-error';

/**
 * Evaluates CloudFormation intrinsic functions in a template the way CloudFormation would at
 * deploy time, as far as a file can tell: parameters (defaults or `--param`), pseudo parameters,
 * conditions, mappings, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`,
 * `Fn::ImportValue` (from `--import-value`). References to resources are handed to the reader
 * (`ResourceLookup`), which knows what App Mesh resources return.
 */

/** Returned for `Ref: AWS::NoValue`: the field (or list item) holding it is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Where a value sits, for error messages: the resource (logical id) and the field path. */
export interface ValueLocation {
  readonly resource: string;
  readonly field: string;
}

/** What the reader answers for references to resources. */
export interface ResourceLookup {
  /** True when the template defines a resource of this logical id. */
  has(logicalId: string): boolean;
  /** The value of `Ref: <logicalId>`. */
  ref(logicalId: string, at: ValueLocation): unknown;
  /** The value of `Fn::GetAtt: [<logicalId>, <attribute>]`. */
  getAtt(logicalId: string, attribute: string, at: ValueLocation): unknown;
}

export interface TemplateInputs {
  /** The template file, for messages. */
  readonly file: string;
  readonly parameters: Record<string, unknown>;
  readonly conditions: Record<string, unknown>;
  readonly mappings: Record<string, unknown>;
  /** `--param K=V` (also overrides pseudo parameters, e.g. `AWS::Region`). */
  readonly paramOverrides: Readonly<Record<string, string>>;
  /** `--import-value K=V`. */
  readonly importValues: Readonly<Record<string, string>>;
  /** Pseudo parameter values used when not overridden. */
  readonly pseudoDefaults: Readonly<Record<string, unknown>>;
  /** Told when a pseudo parameter's default stands in for the deploy-time value. */
  readonly onPseudoDefault: (name: string, value: unknown, at: ValueLocation) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The intrinsic function key of `value` (`Ref`, `Fn::Join`, `Condition`), or undefined. */
function functionOf(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

export class IntrinsicResolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly evaluating: string[] = [];
  /** Where the outermost condition being evaluated was asked for, for the cycle message. */
  private cycleEntry?: ValueLocation;

  constructor(private readonly inputs: TemplateInputs, private readonly resources: ResourceLookup) {}

  private fail(at: ValueLocation, problem: string): never {
    throw new ImportError({ file: this.inputs.file, resource: at.resource, field: at.field }, problem);
  }

  /** `value` with every intrinsic evaluated; `NO_VALUE` when the whole value is `AWS::NoValue`. */
  public resolve(value: unknown, at: ValueLocation): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolve(item, { ...at, field: `${at.field}[${i}]` })).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const fn = functionOf(value);
    if (fn !== undefined && fn !== 'Condition') return this.call(fn, value[fn], { ...at, field: `${at.field}.${fn}` });
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const resolved = this.resolve(child, { ...at, field: at.field === '' ? key : `${at.field}.${key}` });
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** A resolved value that must be a string (numbers and booleans are written as CloudFormation would). */
  private resolveString(value: unknown, at: ValueLocation, what: string): string {
    const resolved = this.resolve(value, at);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    return this.fail(at, `${what} must be a string, got ${resolved === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(resolved)}`);
  }

  private args(raw: unknown, at: ValueLocation, fn: string, count: number | [number, number]): unknown[] {
    const [min, max] = typeof count === 'number' ? [count, count] : count;
    if (!Array.isArray(raw) || raw.length < min || raw.length > max) {
      const expected = min === max ? `${min}` : `${min} to ${max}`;
      this.fail(at, `${fn} takes a list of ${expected} arguments, got ${JSON.stringify(raw)}`);
    }
    return raw as unknown[];
  }

  private call(fn: string, arg: unknown, at: ValueLocation): unknown {
    switch (fn) {
      case 'Ref':
        if (typeof arg !== 'string') return this.fail(at, `Ref takes a name, got ${JSON.stringify(arg)}`);
        return this.ref(arg, at);
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : this.args(arg, at, fn, 2);
        const [logicalId, attribute] = parts.map((p, i) => this.resolveString(p, { ...at, field: `${at.field}[${i}]` }, 'a Fn::GetAtt argument'));
        if (!this.resources.has(logicalId)) {
          return this.fail(at, `Fn::GetAtt ${logicalId}.${attribute} refers to a resource defined nowhere in the template`);
        }
        return this.resources.getAtt(logicalId, attribute, at);
      }
      case 'Fn::Sub':
        return this.sub(arg, at);
      case 'Fn::Join': {
        const [delimiter, list] = this.args(arg, at, fn, 2);
        const items = this.resolve(list, { ...at, field: `${at.field}[1]` });
        if (!Array.isArray(items)) return this.fail(at, `Fn::Join needs a list to join, got ${JSON.stringify(items)}`);
        const sep = this.resolveString(delimiter, { ...at, field: `${at.field}[0]` }, 'the Fn::Join delimiter');
        return items.map((item, i) => this.resolveString(item, { ...at, field: `${at.field}[1][${i}]` }, 'a joined value')).join(sep);
      }
      case 'Fn::Select': {
        const [indexArg, list] = this.args(arg, at, fn, 2);
        const index = Number(this.resolve(indexArg, at));
        const items = this.resolve(list, { ...at, field: `${at.field}[1]` });
        if (!Array.isArray(items)) return this.fail(at, `Fn::Select needs a list, got ${JSON.stringify(items)}`);
        if (!Number.isInteger(index) || index < 0 || index >= items.length) {
          return this.fail(at, `Fn::Select index ${JSON.stringify(indexArg)} is outside the list of ${items.length}`);
        }
        return items[index];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.args(arg, at, fn, 2);
        return this.resolveString(source, at, 'the string to split').split(this.resolveString(delimiter, at, 'the Fn::Split delimiter'));
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.args(arg, at, fn, 3);
        if (typeof condition !== 'string') return this.fail(at, `Fn::If needs a condition name first, got ${JSON.stringify(condition)}`);
        return this.condition(condition, at)
          ? this.resolve(whenTrue, { ...at, field: `${at.field}[1]` })
          : this.resolve(whenFalse, { ...at, field: `${at.field}[2]` });
      }
      case 'Fn::Equals': case 'Fn::Not': case 'Fn::And': case 'Fn::Or':
        return this.evaluateCondition({ [fn]: arg }, at);
      case 'Fn::ImportValue': {
        const name = this.resolveString(arg, at, 'the export name');
        const value = this.inputs.importValues[name];
        if (value === undefined) return this.fail(at, `Fn::ImportValue "${name}": another stack's export; pass its value with --import-value ${name}=VALUE`);
        return value;
      }
      case 'Fn::FindInMap': {
        const [mapName, top, second] = this.args(arg, at, fn, [3, 4]).map((p) => this.resolveString(p, at, 'a Fn::FindInMap argument'));
        const map = this.inputs.mappings[mapName];
        const level = isObject(map) ? map[top] : undefined;
        const found = isObject(level) ? level[second] : undefined;
        if (found === undefined) return this.fail(at, `Fn::FindInMap [${mapName}, ${top}, ${second}]: no such entry in Mappings`);
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg, at, 'the Fn::Base64 input'), 'utf8').toString('base64');
      default:
        return this.fail(at, `${fn} cannot be evaluated from the template alone; replace it with a literal value`);
    }
  }

  private ref(name: string, at: ValueLocation): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const override = this.inputs.paramOverrides[name];
    if (name.startsWith('AWS::')) {
      if (override !== undefined) return override;
      if (!(name in this.inputs.pseudoDefaults)) return this.fail(at, `Ref ${name}: not a pseudo parameter this importer knows`);
      const value = this.inputs.pseudoDefaults[name];
      this.inputs.onPseudoDefault(name, value, at);
      return value;
    }
    if (name in this.inputs.parameters) return this.parameter(name, override, at);
    if (this.resources.has(name)) return this.resources.ref(name, at);
    return this.fail(at, `Ref "${name}" refers to nothing: the template has no parameter or resource of that name`);
  }

  private parameter(name: string, override: string | undefined, at: ValueLocation): unknown {
    const declaration = this.inputs.parameters[name];
    const type = isObject(declaration) ? String(declaration.Type ?? 'String') : 'String';
    let value: unknown = override ?? (isObject(declaration) ? declaration.Default : undefined);
    if (value === undefined) {
      return this.fail(at, `parameter "${name}" has no Default; pass its value with --param ${name}=VALUE`);
    }
    if (isObject(declaration) && Array.isArray(declaration.AllowedValues) && !declaration.AllowedValues.map(String).includes(String(value))) {
      return this.fail(at, `parameter "${name}" is ${JSON.stringify(value)}, not one of its AllowedValues ${JSON.stringify(declaration.AllowedValues)}`);
    }
    // List parameters are comma-separated strings; CloudFormation hands the template a list.
    if (type.startsWith('List<') || type === 'CommaDelimitedList') value = String(value).split(',').map((s) => s.trim());
    return typeof value === 'number' ? String(value) : value;
  }

  private sub(arg: unknown, at: ValueLocation): string {
    let template: unknown = arg;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      const [text, vars] = this.args(arg, at, 'Fn::Sub', 2);
      if (!isObject(vars)) return this.fail(at, `Fn::Sub's second argument must map variable names to values, got ${JSON.stringify(vars)}`);
      template = text;
      variables = vars;
    }
    if (typeof template !== 'string') return this.fail(at, `Fn::Sub takes a string, got ${JSON.stringify(template)}`);
    // `${!Literal}` writes `${Literal}`; `${Name}` is a variable, a Ref or a GetAtt (`${Res.Attr}`).
    return template.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      const name = inner.trim();
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.resolveString(variables[name], { ...at, field: `${at.field}[1].${name}` }, `Fn::Sub variable ${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::') && this.resources.has(name.slice(0, dot))) {
        return this.resolveString({ 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] }, at, `\${${name}}`);
      }
      return this.resolveString({ Ref: name }, at, `\${${name}}`);
    });
  }

  /** The truth of the named condition of the `Conditions` section; a cycle is an error. */
  public condition(name: string, at: ValueLocation): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!(name in this.inputs.conditions)) return this.fail(at, `condition "${name}" is not defined in the Conditions section`);
    if (this.evaluating.includes(name)) {
      const cycle = [...this.evaluating.slice(this.evaluating.indexOf(name)), name].join(' → ');
      const from = this.cycleEntry === undefined ? '' : ` (evaluated for ${this.cycleEntry.resource} ${this.cycleEntry.field})`;
      return this.fail({ resource: `Conditions.${name}`, field: '' }, `conditions refer to each other in a cycle: ${cycle}${from}`);
    }
    if (this.evaluating.length === 0) this.cycleEntry = at;
    this.evaluating.push(name);
    try {
      const value = this.evaluateCondition(this.inputs.conditions[name], { resource: `Conditions.${name}`, field: '' });
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.evaluating.pop();
    }
  }

  private evaluateCondition(expression: unknown, at: ValueLocation): boolean {
    if (typeof expression === 'boolean') return expression;
    if (expression === 'true' || expression === 'false') return expression === 'true';
    if (!isObject(expression)) return this.fail(at, `a condition must be a condition function, got ${JSON.stringify(expression)}`);
    const fn = functionOf(expression);
    const arg = fn === undefined ? undefined : expression[fn];
    const here = { ...at, field: at.field === '' ? String(fn) : `${at.field}.${fn}` };
    switch (fn) {
      case 'Condition':
        return this.condition(String(arg), here);
      case 'Fn::Equals': {
        const [a, b] = this.args(arg, here, fn, 2).map((v) => this.resolve(v, here));
        return JSON.stringify(typeof a === 'number' ? String(a) : a) === JSON.stringify(typeof b === 'number' ? String(b) : b);
      }
      case 'Fn::Not':
        return !this.evaluateCondition(this.args(arg, here, fn, 1)[0], here);
      case 'Fn::And':
        return this.args(arg, here, fn, [2, 10]).every((c) => this.evaluateCondition(c, here));
      case 'Fn::Or':
        return this.args(arg, here, fn, [2, 10]).some((c) => this.evaluateCondition(c, here));
      default:
        return this.fail(here, `${fn ?? 'this object'} is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)`);
    }
  }
}
