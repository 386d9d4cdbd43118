import { Code, codeKey, raw, RawCode } from './code';
import { IdentifierScope } from './names';

/** A spec value the generator cannot write, naming the spec field. */
export interface CodegenIssue {
  /** Where in the document, e.g. `routes[r/a].spec.httpRoute.match.headers[0]`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown when the input holds values the constructs cannot express; lists every one. */
export class CodegenError extends Error {
  constructor(public readonly issues: readonly CodegenIssue[], title = 'cannot write this mesh spec as CDK code') {
    super(`${title}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'CodegenError';
  }
}

/** Modules the generated stack may import; only those used are. */
export type ModuleName = 'Duration' | 'acm' | 'acmpca' | 'cloudmap' | 'iam';

interface Shared {
  readonly hint: string;
  readonly type?: string;
  readonly code: Code;
  readonly placeholder: string;
  uses: number;
  name?: string;
}

/** A `const` declared in the stack constructor before the resources. */
export interface Declaration {
  readonly name: string;
  readonly type?: string;
  readonly code: Code;
  readonly comment?: string;
}

const PLACEHOLDER = /^\u0000shared(\d+)\u0000$/;

/** What generating one stack collects: names, imports, shared values and problems. */
export class GenContext {
  public readonly issues: CodegenIssue[] = [];
  public readonly modules = new Set<ModuleName>();
  /** Local variable names of the stack constructor. */
  public readonly variables = new IdentifierScope();
  /** Construct ids of children of the stack (`this`). */
  public readonly stackIds = new Set<string>(['Mesh']);
  /** Declarations of references to things outside the mesh (certificates, Cloud Map services...). */
  public readonly references: Declaration[] = [];
  private readonly referenceByKey = new Map<string, RawCode>();
  private readonly shared: Shared[] = [];
  private readonly sharedByKey = new Map<string, Shared>();

  public error(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  public use(module: ModuleName): void {
    this.modules.add(module);
  }

  /** A construct id unique among the stack's children, from `base`. */
  public stackId(base: string): string {
    let id = base;
    for (let n = 2; this.stackIds.has(id); n++) id = `${base}${n}`;
    this.stackIds.add(id);
    return id;
  }

  /**
   * A reference declared once per `key` (an ARN, a Cloud Map service): the first call makes the
   * variable from `variableBase` and the declaration from `declare(constructId)`.
   */
  public reference(key: string, variableBase: string, idBase: string, declare: (id: string) => Code, comment?: string): RawCode {
    const known = this.referenceByKey.get(key);
    if (known !== undefined) return known;
    const name = this.variables.claim(variableBase);
    const code = declare(this.stackId(idBase));
    this.references.push({ name, code, ...(comment !== undefined ? { comment } : {}) });
    const ref = raw(name);
    this.referenceByKey.set(key, ref);
    return ref;
  }

  /**
   * A value that becomes a named constant when it occurs more than once (a health check, an
   * access log, a TLS policy...); written in place otherwise.
   */
  public share(hint: string, code: Code, type?: string): Code {
    const key = codeKey(code);
    let entry = this.sharedByKey.get(key);
    if (entry === undefined) {
      entry = { hint, code, placeholder: `\u0000shared${this.shared.length}\u0000`, uses: 0, ...(type !== undefined ? { type } : {}) };
      this.shared.push(entry);
      this.sharedByKey.set(key, entry);
    }
    entry.uses++;
    return raw(entry.placeholder);
  }

  /** Names the shared values used more than once and returns their declarations, in first-use order. */
  public sharedDeclarations(): Declaration[] {
    const out: Declaration[] = [];
    for (const entry of this.shared) {
      if (entry.uses < 2) continue;
      entry.name = this.variables.claim(entry.hint);
      out.push({ name: entry.name, code: this.resolve(entry.code), ...(entry.type !== undefined ? { type: entry.type } : {}) });
    }
    return out;
  }

  /** `code` with every shared placeholder replaced by its constant's name or its value. */
  public resolve(code: Code): Code {
    switch (code.kind) {
      case 'raw': {
        const match = PLACEHOLDER.exec(code.text);
        if (match === null) return code;
        const entry = this.shared[Number(match[1])];
        return entry.name !== undefined ? raw(entry.name) : this.resolve(entry.code);
      }
      case 'call': return { ...code, args: code.args.map((a) => this.resolve(a)) };
      case 'array': return { ...code, items: code.items.map((i) => this.resolve(i)) };
      case 'cast': return { ...code, value: this.resolve(code.value) };
      case 'object': return { ...code, props: code.props.map((p) => ({ ...p, value: this.resolve(p.value) })) };
    }
  }
}
