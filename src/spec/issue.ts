/**
 * The mesh resource a spec issue belongs to.
 */
export interface SpecResourceRef {
  /**
   * Kind of the resource: one of `mesh`, `virtualNode`, `virtualService`, `virtualRouter`,
   * `route`, `virtualGateway`, `gatewayRoute`.
   */
  readonly kind: string;
  /** Name of the resource (for routes and gateway routes: the route's own name). */
  readonly name: string;
  /** Name of the parent router (routes) or gateway (gateway routes). */
  readonly parentName?: string;
}

/**
 * `error`: App Mesh refused such input, so the spec is refused. `warning`: App Mesh accepted it
 * but traffic does not flow as written (the route concerned is not distributed).
 */
export type SpecIssueSeverity = 'error' | 'warning';

/**
 * One problem found in a mesh spec document.
 */
export interface SpecIssue {
  /** Where, e.g. `virtualNodes["serviceA"].spec.listeners[0].healthCheck.intervalMillis`. */
  readonly path: string;
  /** What is wrong, naming the rule or limit (without the path). */
  readonly message: string;
  /** The resource the problem belongs to; absent for document-level problems. */
  readonly resource?: SpecResourceRef;
  /** Id of the cross-field rule that found it (`src/spec/rules`); absent for structural problems. */
  readonly rule?: string;
}

/** `path: message`, the one-line form of an issue. */
export function formatSpecIssue(issue: SpecIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/**
 * Thrown when a mesh spec document is not valid; carries every issue found.
 *
 * At run time this is a real `Error` (`instanceof Error` holds, it has a stack). The class does
 * not `extend Error` in the source only because jsii cannot express a subclass of a built-in
 * type; the prototype link below restores the inheritance.
 */
export class SpecValidationError {
  /** Always `SpecValidationError`. */
  public readonly name: string;
  /** A heading line, then one line per issue (`path: message`). */
  public readonly message: string;
  /** Stack trace, as on any Error. */
  public readonly stack?: string;
  /** Every issue found, in document order. */
  public readonly issues: SpecIssue[];

  /**
   * @param issues every issue found
   * @param heading first line of the message
   */
  constructor(issues: SpecIssue[], heading?: string) {
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    const lines = issues.map(issue => `  ${formatSpecIssue(issue)}`);
    this.name = 'SpecValidationError';
    this.message = [`${heading ?? 'invalid mesh spec'} (${count}):`, ...lines].join('\n');
    this.issues = issues;
    // V8 can attach the stack to any object; elsewhere take it from a plain Error.
    const capture = (Error as { captureStackTrace?: (target: object, constructorOpt: Function) => void }).captureStackTrace;
    if (capture !== undefined) capture(this, SpecValidationError);
    else this.stack = new Error(this.message).stack;
  }

  /** `name: message`, as Error's toString. */
  public toString(): string {
    return `${this.name}: ${this.message}`;
  }
}

Object.setPrototypeOf(SpecValidationError.prototype, Error.prototype);
