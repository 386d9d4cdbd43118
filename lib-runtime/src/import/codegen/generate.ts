import { appFiles } from './app-files';
import { CodegenError, CodegenIssue, GenContext } from './context';
import { pascalCase } from './names';
import { buildStackBody, printSections, Statement } from './stack-body';
import { MeshSpecDocument } from '../../../../src/spec/document';
import { isCloudFormationIntrinsic } from '../../../../src/spec/intrinsic';
import { validateMeshSpec } from '../../../../src/spec/validate';

/** One file of the generated app, its path relative to the app's directory. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** A CDK app in TypeScript that defines the mesh of one spec document. */
export interface GeneratedApp {
  /** The files, in a fixed order; the same document always gives the same files. */
  readonly files: GeneratedFile[];
  /** Path of the stack module among `files` (`lib/<mesh>-mesh-stack.ts`). */
  readonly stackFile: string;
  /** Name of the exported stack class. */
  readonly stackClass: string;
}

/** Options of generateCdkApp. */
export interface GenerateOptions {
  /** Language of the app; TypeScript only. @default 'ts' */
  readonly lang?: 'ts';
  /** Module the constructs are imported from. @default 'open-app-mesh' */
  readonly importFrom?: string;
}

/**
 * Writes a CDK app that defines the mesh of `doc` with the construct library, the way a person
 * would: `new Mesh`, `mesh.addVirtualNode`, `router.addRoute`, `RouteSpec.http({...})`, shared
 * values as named constants. Synthesizing the app gives `constructsForm(doc)`, which is `doc`
 * itself when the constructs wrote it. Pure and deterministic.
 *
 * Throws CodegenError listing every value the constructs cannot express (and every validation
 * error of the document) by its spec path; nothing is dropped silently.
 */
export function generateCdkApp(doc: MeshSpecDocument, options: GenerateOptions = {}): GeneratedApp {
  if (options.lang !== undefined && options.lang !== 'ts') {
    throw new CodegenError([{ path: '(options).lang', message: `unknown language ${JSON.stringify(options.lang)}; only 'ts' is written` }]);
  }
  const intrinsics = findIntrinsics(doc, '');
  if (intrinsics.length > 0) throw new CodegenError(intrinsics, 'the mesh spec holds deploy-time values that code cannot state');
  const policies = findPolicies(doc);
  if (policies.length > 0) throw new CodegenError(policies, 'the mesh spec holds policies beyond App Mesh, which the generator does not write');
  const invalid = validateMeshSpec(doc);
  if (invalid.length > 0) {
    throw new CodegenError(invalid.map((i) => ({ path: i.path, message: i.message })), 'the mesh spec is not valid');
  }

  const ctx = new GenContext();
  const body = buildStackBody(ctx, doc);
  if (ctx.issues.length > 0) throw new CodegenError(ctx.issues);

  const references: Statement[] = ctx.references.map((r) => ({
    variable: r.name, code: r.code, ...(r.comment !== undefined ? { comment: r.comment } : {}),
  }));
  const shared: Statement[] = ctx.sharedDeclarations().map((d) => ({
    variable: d.name, code: d.code, ...(d.type !== undefined ? { type: d.type } : {}),
  }));
  const [meshSection, ...resourceSections] = body.sections;
  const lines = printSections(ctx, [meshSection, references, shared, ...resourceSections], '    ');

  const meshName = doc.mesh.meshName;
  const stem = pascalCase(meshName);
  // A class name cannot start with a digit (mesh `2024-mesh` gives `Mesh2024MeshMeshStack`).
  const stackClass = `${/^[A-Za-z]/.test(stem) ? stem : `Mesh${stem}`}MeshStack`;
  const stackFile = `lib/${kebab(stackClass)}.ts`;
  const stack = stackModule(ctx, stackClass, meshName, lines, options.importFrom ?? 'open-app-mesh');
  return {
    files: appFiles({ meshName, stackClass, stackFile, stackSource: stack, importFrom: options.importFrom ?? 'open-app-mesh' }),
    stackFile,
    stackClass,
  };
}

function stackModule(ctx: GenContext, stackClass: string, meshName: string, body: string[], importFrom: string): string {
  const cdkNames = ['Stack', 'StackProps', ...(ctx.modules.has('Duration') ? ['Duration'] : [])].sort();
  const imports = [
    `import { ${cdkNames.join(', ')} } from 'aws-cdk-lib';`,
    ...(ctx.modules.has('acmpca') ? ["import * as acmpca from 'aws-cdk-lib/aws-acmpca';"] : []),
    ...(ctx.modules.has('acm') ? ["import * as acm from 'aws-cdk-lib/aws-certificatemanager';"] : []),
    ...(ctx.modules.has('iam') ? ["import * as iam from 'aws-cdk-lib/aws-iam';"] : []),
    ...(ctx.modules.has('cloudmap') ? ["import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';"] : []),
    "import { Construct } from 'constructs';",
    `import * as appmesh from '${importFrom}';`,
  ];
  // `Stack`/`StackProps` are used by the class itself; the import order follows eslint's import/order.
  return [
    `// The mesh ${JSON.stringify(meshName)}, written by \`open-app-mesh import\` from its App Mesh definition.`,
    '// Edit it as your own code: it synthesizes the same mesh spec the import produced.',
    ...sortImports(imports),
    '',
    `/** The App Mesh mesh ${JSON.stringify(meshName).replace(/\*\//g, '*\\/')} and all its resources. */`,
    `export class ${stackClass} extends Stack {`,
    '  constructor(scope: Construct, id: string, props?: StackProps) {',
    '    super(scope, id, props);',
    '',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** eslint import/order: packages alphabetically by module path, case-insensitive. */
function sortImports(imports: string[]): string[] {
  const from = (line: string) => /from '([^']+)'/.exec(line)![1].toLowerCase();
  return [...imports].sort((a, b) => (from(a) < from(b) ? -1 : from(a) > from(b) ? 1 : 0));
}

function kebab(name: string): string {
  return name.replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Every policy of the extension section (open-app-mesh/v2), by path. App Mesh inputs never hold
 * one; a spec the constructs wrote may, and the generated code would lose it, so it is refused.
 */
function findPolicies(doc: MeshSpecDocument): CodegenIssue[] {
  const lists: Record<string, readonly { extensions?: object }[]> = {
    virtualNodes: doc.virtualNodes, routes: doc.routes, virtualGateways: doc.virtualGateways, gatewayRoutes: doc.gatewayRoutes,
  };
  return Object.entries(lists).flatMap(([list, resources]) => (resources ?? []).flatMap((resource, index) =>
    Object.keys(resource.extensions ?? {}).sort().map((policy) => ({
      path: `${list}[${index}].extensions.${policy}`,
      message: `${policy} is a policy beyond App Mesh, which the generated code does not state yet; add it to the generated app by hand`,
    }))));
}

/** Every CloudFormation intrinsic in the document, by path. */
function findIntrinsics(value: unknown, path: string): CodegenIssue[] {
  if (isCloudFormationIntrinsic(value)) {
    return [{ path: path || '(document)', message: `${JSON.stringify(value)} is a CloudFormation intrinsic, resolved only at deploy time; give the literal value` }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findIntrinsics(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => findIntrinsics(v, path === '' ? k : `${path}.${k}`));
  }
  return [];
}
