/**
 * Checks on synthesized CloudFormation templates:
 * - every resource against the CloudFormation registry schema shipped in @aws-cdk/aws-service-spec
 *   (unknown resource types, unknown or missing required properties, primitive type mismatches);
 * - cdk-nag's AwsSolutions pack, run through the CDK Validations API (cdk-nag 3).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { App, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

interface PropertyTypeShape {
  readonly type: string;
  readonly element?: PropertyTypeShape;
  readonly types?: PropertyTypeShape[];
  readonly reference?: { readonly $ref: string };
}

interface PropertyShape {
  readonly type: PropertyTypeShape;
  readonly required?: boolean;
}

let database: SpecDatabase | undefined;

function db(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

/** Resource types CDK writes that are not in the registry. */
const SKIPPED_TYPES = new Set(['AWS::CDK::Metadata']);

/** A value CloudFormation computes at deploy time: its type cannot be checked here. */
function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Problems in every resource of a template, as `LogicalId.Path: message`. */
export function validateTemplateAgainstServiceSpec(template: { Resources?: Record<string, any> }): string[] {
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const type: string = resource.Type;
    if (SKIPPED_TYPES.has(type) || type.startsWith('Custom::')) continue;
    const [definition] = db().lookup('resource', 'cloudFormationType', 'equals', type);
    if (definition === undefined) {
      problems.push(`${logicalId}: unknown resource type ${type}`);
      continue;
    }
    checkObject(definition.properties as Record<string, PropertyShape>, resource.Properties ?? {}, `${logicalId}`, problems);
  }
  return problems;
}

function checkObject(properties: Record<string, PropertyShape>, value: unknown, path: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && record[name] === undefined) problems.push(`${path}.${name}: required property missing`);
  }
  for (const [name, child] of Object.entries(record)) {
    const property = properties[name];
    if (property === undefined) {
      problems.push(`${path}.${name}: unknown property`);
      continue;
    }
    checkValue(property.type, child, `${path}.${name}`, problems);
  }
}

/** Whether `value` fits `type`; collects the problems of the closest match. */
function checkValue(type: PropertyTypeShape, value: unknown, path: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  switch (type.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
    case 'integer':
      // CloudFormation accepts numbers written as strings.
      if (typeof value !== 'number' && !(typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)))) {
        problems.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'json':
    case 'tag':
    case 'null':
      return;
    case 'date-time':
      if (typeof value !== 'string') problems.push(`${path}: expected a date-time string`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
        return;
      }
      value.forEach((item, i) => checkValue(type.element!, item, `${path}[${i}]`, problems));
      return;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${path}: expected a map`);
        return;
      }
      for (const [key, item] of Object.entries(value)) checkValue(type.element!, item, `${path}.${key}`, problems);
      return;
    case 'ref': {
      const definition = db().get('typeDefinition', type.reference!.$ref);
      checkObject(definition.properties as Record<string, PropertyShape>, value, path, problems);
      return;
    }
    case 'union': {
      // Accept the first alternative without problems; else report the alternatives' problems.
      const attempts = type.types!.map((alternative) => {
        const found: string[] = [];
        checkValue(alternative, value, path, found);
        return found;
      });
      if (attempts.some((found) => found.length === 0)) return;
      problems.push(...attempts.sort((a, b) => a.length - b.length)[0]);
      return;
    }
    default:
      problems.push(`${path}: unhandled schema type ${type.type}`);
  }
}

/** A violation reported by a policy-validation plugin (cdk-nag). */
export interface NagViolation {
  readonly rule: string;
  readonly description: string;
  readonly paths: string[];
}

/**
 * Runs cdk-nag's AwsSolutions checks over `scope` the way `Validations.of(app).addPlugins`
 * would at synth (acknowledgements included), and returns what is left.
 */
export function awsSolutionsViolations(scope: IConstruct): NagViolation[] {
  const pack = new AwsSolutionsChecks(scope);
  const report = pack.validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    description: v.description,
    paths: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '(no path)'),
  }));
}

/** The app of `scope`, for `Validations.of(app).addPlugins(...)`. */
export function appOf(scope: IConstruct): App | Stage {
  return scope.node.root as App;
}
