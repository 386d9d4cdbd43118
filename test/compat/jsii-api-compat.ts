/**
 * Compares two jsii assemblies' type systems: every type of aws-cdk-lib's aws_appmesh module
 * (its L2 API; the L1 `Cfn*` classes are CloudFormation resources, which this library replaces)
 * must exist in ours with a signature a user's code cannot tell apart: same kind, every member,
 * same static-ness, parameter order and types, optional stays optional, same readonly-ness,
 * every enum member. Members inherited from base classes and interfaces count.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

export interface JsiiTypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: string; readonly elementtype: JsiiTypeRef };
  readonly union?: { readonly types: readonly JsiiTypeRef[] };
  readonly intersection?: { readonly types: readonly JsiiTypeRef[] };
}

interface JsiiParameter {
  readonly name: string;
  readonly type: JsiiTypeRef;
  readonly optional?: boolean;
  readonly variadic?: boolean;
}

interface JsiiCallable {
  readonly name?: string;
  readonly static?: boolean;
  readonly parameters?: readonly JsiiParameter[];
  readonly returns?: { readonly type: JsiiTypeRef; readonly optional?: boolean };
}

interface JsiiProperty {
  readonly name: string;
  readonly type: JsiiTypeRef;
  readonly optional?: boolean;
  readonly immutable?: boolean;
  readonly static?: boolean;
}

export interface JsiiType {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly abstract?: boolean;
  readonly base?: string;
  readonly interfaces?: readonly string[];
  readonly initializer?: JsiiCallable;
  readonly methods?: readonly JsiiCallable[];
  readonly properties?: readonly JsiiProperty[];
  readonly members?: readonly { readonly name: string }[];
}

export interface JsiiAssembly {
  readonly name: string;
  readonly types: Record<string, JsiiType>;
}

/** Reads a .jsii file, following the gzip redirect aws-cdk-lib uses. */
export function readAssembly(file: string): JsiiAssembly {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (raw.schema === 'jsii/file-redirect') {
    const target = path.join(path.dirname(file), raw.filename);
    return JSON.parse(zlib.gunzipSync(fs.readFileSync(target)).toString('utf8'));
  }
  return raw;
}

/** The upstream types compared: the module's L2 API. */
export function upstreamModuleTypes(upstream: JsiiAssembly, modulePrefix: string): JsiiType[] {
  return Object.values(upstream.types)
    .filter((t) => t.fqn.startsWith(modulePrefix) && !t.fqn.slice(modulePrefix.length).startsWith('Cfn'))
    .sort((a, b) => (a.fqn < b.fqn ? -1 : 1));
}

export interface CompatOptions {
  /** Types of both sides by fqn (aws-cdk-lib's and ours, plus anything bases resolve to). */
  readonly resolve: (fqn: string) => JsiiType | undefined;
  /** The upstream module prefix, e.g. 'aws-cdk-lib.aws_appmesh.'. */
  readonly upstreamPrefix: string;
  /** Our assembly's prefix, e.g. 'open-app-mesh.'. */
  readonly ourPrefix: string;
}

/** Every incompatibility of our API with the upstream module, one line each. */
export function compatibilityProblems(upstreamTypes: readonly JsiiType[], options: CompatOptions): string[] {
  const problems: string[] = [];
  for (const up of upstreamTypes) {
    const name = up.fqn.slice(options.upstreamPrefix.length);
    const ours = options.resolve(options.ourPrefix + name);
    if (!ours) {
      problems.push(`${name}: missing`);
      continue;
    }
    problems.push(...compareType(name, up, ours, options));
  }
  return problems;
}

function compareType(name: string, up: JsiiType, ours: JsiiType, options: CompatOptions): string[] {
  const problems: string[] = [];
  if (up.kind !== ours.kind) return [`${name}: is a ${ours.kind}, upstream a ${up.kind}`];
  if (up.kind === 'enum') {
    const have = new Set((ours.members ?? []).map((m) => m.name));
    for (const m of up.members ?? []) if (!have.has(m.name)) problems.push(`${name}.${m.name}: enum member missing`);
    return problems;
  }
  if (up.kind === 'interface' && Boolean(up.datatype) !== Boolean(ours.datatype)) {
    problems.push(`${name}: ${up.datatype ? 'upstream is a struct, ours is not' : 'ours is a struct, upstream is not'}`);
  }
  if (up.kind === 'class') {
    if (up.initializer && !up.abstract) {
      if (!ours.initializer || ours.abstract) problems.push(`${name}: upstream can be constructed with new, ours cannot`);
      else problems.push(...compareParameters(`${name}.constructor`, up.initializer, ours.initializer, options));
    }
  }
  const upProps = collectProperties(up, options.resolve);
  const ourProps = collectProperties(ours, options.resolve);
  for (const [key, p] of upProps) {
    const o = ourProps.get(key);
    const where = `${name}.${p.name}`;
    if (!o) {
      problems.push(`${where}: property missing${p.static ? ' (static)' : ''}`);
      continue;
    }
    if (!sameType(p.type, o.type, options)) problems.push(`${where}: type ${show(o.type)}, upstream ${show(p.type)}`);
    if (Boolean(p.optional) !== Boolean(o.optional)) problems.push(`${where}: ${p.optional ? 'optional upstream, required here' : 'required upstream, optional here'}`);
    if (Boolean(p.immutable) !== Boolean(o.immutable)) problems.push(`${where}: ${p.immutable ? 'readonly upstream, writable here' : 'writable upstream, readonly here'}`);
  }
  if (up.datatype) {
    // A user's struct literal must still compile: no property may be required here that is not upstream.
    for (const [key, o] of ourProps) {
      if (!upProps.has(key) && !o.optional) problems.push(`${name}.${o.name}: required here, absent upstream`);
    }
  }
  const upMethods = collectMethods(up, options.resolve);
  const ourMethods = collectMethods(ours, options.resolve);
  for (const [key, m] of upMethods) {
    const o = ourMethods.get(key);
    const where = `${name}.${m.name}()`;
    if (!o) {
      problems.push(`${where}: method missing${m.static ? ' (static)' : ''}`);
      continue;
    }
    problems.push(...compareParameters(where, m, o, options));
    if (m.returns && !o.returns) {
      problems.push(`${where}: returns nothing, upstream ${show(m.returns.type)}`);
    } else if (!m.returns && o.returns) {
      problems.push(`${where}: returns ${show(o.returns.type)}, upstream nothing`);
    } else if (m.returns && o.returns) {
      if (!sameType(m.returns.type, o.returns.type, options)) problems.push(`${where}: returns ${show(o.returns.type)}, upstream ${show(m.returns.type)}`);
      if (!m.returns.optional && o.returns.optional) problems.push(`${where}: may return undefined, upstream never does`);
    }
  }
  return problems;
}

function compareParameters(where: string, up: JsiiCallable, ours: JsiiCallable, options: CompatOptions): string[] {
  const problems: string[] = [];
  const upParams = up.parameters ?? [];
  const ourParams = ours.parameters ?? [];
  upParams.forEach((p, i) => {
    const o = ourParams[i];
    if (!o) {
      problems.push(`${where}: parameter ${i + 1} (${p.name}) missing`);
      return;
    }
    if (!sameType(p.type, o.type, options)) problems.push(`${where}: parameter ${i + 1} (${p.name}) is ${show(o.type)}, upstream ${show(p.type)}`);
    if (p.optional && !o.optional) problems.push(`${where}: parameter ${i + 1} (${p.name}) optional upstream, required here`);
    if (Boolean(p.variadic) !== Boolean(o.variadic)) problems.push(`${where}: parameter ${i + 1} (${p.name}) variadic differs`);
  });
  ourParams.slice(upParams.length).forEach((o, i) => {
    if (!o.optional && !o.variadic) problems.push(`${where}: extra required parameter ${upParams.length + i + 1} (${o.name})`);
  });
  return problems;
}

/** Properties by "static:name", own first, then inherited (the nearest declaration wins). */
function collectProperties(type: JsiiType, resolve: CompatOptions['resolve']): Map<string, JsiiProperty> {
  const out = new Map<string, JsiiProperty>();
  for (const t of lineage(type, resolve)) {
    for (const p of t.properties ?? []) {
      const key = `${p.static ? 'static' : 'instance'}:${p.name}`;
      if (!out.has(key)) out.set(key, p);
    }
  }
  return out;
}

function collectMethods(type: JsiiType, resolve: CompatOptions['resolve']): Map<string, JsiiCallable> {
  const out = new Map<string, JsiiCallable>();
  for (const t of lineage(type, resolve)) {
    for (const m of t.methods ?? []) {
      const key = `${m.static ? 'static' : 'instance'}:${m.name}`;
      if (!out.has(key)) out.set(key, m);
    }
  }
  return out;
}

/** The type, then its bases and interfaces breadth first; statics are not inherited by interfaces but jsii lists none there. */
function lineage(type: JsiiType, resolve: CompatOptions['resolve']): JsiiType[] {
  const seen = new Set<string>();
  const order: JsiiType[] = [];
  const queue: JsiiType[] = [type];
  while (queue.length > 0) {
    const t = queue.shift()!;
    if (seen.has(t.fqn)) continue;
    seen.add(t.fqn);
    order.push(t);
    for (const parent of [t.base, ...(t.interfaces ?? [])]) {
      const resolved = parent ? resolve(parent) : undefined;
      if (resolved) queue.push(resolved);
    }
  }
  return order;
}

function sameType(up: JsiiTypeRef, ours: JsiiTypeRef, options: CompatOptions): boolean {
  if (up.primitive || ours.primitive) return up.primitive === ours.primitive;
  if (up.fqn || ours.fqn) {
    if (!up.fqn || !ours.fqn) return false;
    const mapped = up.fqn.startsWith(options.upstreamPrefix) ? options.ourPrefix + up.fqn.slice(options.upstreamPrefix.length) : up.fqn;
    return mapped === ours.fqn;
  }
  if (up.collection || ours.collection) {
    return !!up.collection && !!ours.collection && up.collection.kind === ours.collection.kind
      && sameType(up.collection.elementtype, ours.collection.elementtype, options);
  }
  const upSet = up.union?.types ?? up.intersection?.types;
  const ourSet = ours.union?.types ?? ours.intersection?.types;
  if (!upSet || !ourSet || Boolean(up.union) !== Boolean(ours.union) || upSet.length !== ourSet.length) return false;
  return upSet.every((u) => ourSet.some((o) => sameType(u, o, options)));
}

/** A type reference as TypeScript-ish text, for messages. */
export function show(t: JsiiTypeRef): string {
  if (t.primitive) return t.primitive;
  if (t.fqn) return t.fqn;
  if (t.collection) return t.collection.kind === 'array' ? `${show(t.collection.elementtype)}[]` : `Record<string, ${show(t.collection.elementtype)}>`;
  if (t.union) return t.union.types.map(show).join(' | ');
  if (t.intersection) return t.intersection.types.map(show).join(' & ');
  return JSON.stringify(t);
}
