import { createRequire } from 'module';
import * as path from 'path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/** kubernetes-models class per apiVersion/kind, for `.validate()` against the bundled OpenAPI schema. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** Validates one object with kubernetes-models; throws with the object's kind/name on failure. */
export function validateManifest(manifest: any): void {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const Model = MODELS[key];
  if (Model === undefined) throw new Error(`no kubernetes-models class registered for ${key}`);
  try {
    new Model(manifest).validate();
  } catch (error) {
    throw new Error(`${key} ${manifest.metadata?.name}: ${(error as Error).message}`);
  }
}

/**
 * The YAML parser aws-cdk-lib bundles (what aws-eks uses for its own manifests), so the
 * writer is checked against an independent, complete YAML implementation.
 */
export function parseAllYaml(text: string): any[] {
  const cdkRoot = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const yamlEntry = require.resolve('yaml', { paths: [cdkRoot] });
  const load = createRequire(__filename);
  const yaml = load(yamlEntry) as { parseAllDocuments(text: string, options?: object): { errors: unknown[]; toJSON(): unknown }[] };
  return yaml.parseAllDocuments(text, { version: '1.1' }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`YAML errors: ${JSON.stringify(doc.errors)}`);
    return doc.toJSON();
  });
}

/** Same, read as YAML 1.2 (core schema). */
export function parseAllYaml12(text: string): any[] {
  const cdkRoot = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const yamlEntry = require.resolve('yaml', { paths: [cdkRoot] });
  const load = createRequire(__filename);
  const yaml = load(yamlEntry) as { parseAllDocuments(text: string, options?: object): { errors: unknown[]; toJSON(): unknown }[] };
  return yaml.parseAllDocuments(text, { version: '1.2' }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`YAML errors: ${JSON.stringify(doc.errors)}`);
    return doc.toJSON();
  });
}
