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
 * One problem found in a mesh spec document.
 */
export interface SpecIssue {
  /** Where, e.g. `virtualNodes["serviceA"].spec.listeners[0].healthCheck.intervalMillis`. */
  readonly path: string;
  /** What is wrong, naming the rule or limit (without the path). */
  readonly message: string;
  /** The resource the problem belongs to; absent for document-level problems. */
  readonly resource?: SpecResourceRef;
}

/** `path: message`, the one-line form of an issue. */
export function formatSpecIssue(issue: SpecIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/**
 * Thrown when a mesh spec document is not valid; carries every issue found.
 */
export class SpecValidationError extends Error {
  /** Every issue found, in document order. */
  public readonly issues: SpecIssue[];

  /**
   * @param issues every issue found
   * @param heading first line of the message
   */
  constructor(issues: SpecIssue[], heading?: string) {
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    const lines = issues.map(issue => `  ${formatSpecIssue(issue)}`);
    super([`${heading ?? 'invalid mesh spec'} (${count}):`, ...lines].join('\n'));
    this.name = 'SpecValidationError';
    this.issues = issues;
    // Keeps `instanceof` working when compiled to ES5-style classes.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
