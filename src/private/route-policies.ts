import { Construct } from 'constructs';
import { RequestMirror } from '../policies/request-mirror';
import { RoutePolicyOptions } from '../policies/route-policy-options';
import * as spec from '../spec';

/** The spec's header rules from `HeaderRule`s, or undefined when there are none. */
export function renderHeaderRules(scope: Construct, options: RoutePolicyOptions): spec.HeaderRulesPolicy | undefined {
  const request = (options.requestHeaderRules ?? []).map(rule => rule.bind(scope));
  const response = (options.responseHeaderRules ?? []).map(rule => rule.bind(scope));
  const writes = (configs: typeof request) => configs.flatMap(c => (c.write ? [c.write] : []));
  const removes = (configs: typeof request) => configs.flatMap(c => (c.remove !== undefined ? [c.remove] : []));
  const rules: spec.HeaderRulesPolicy = {
    ...(writes(request).length ? { requestHeadersToAdd: writes(request) } : {}),
    ...(removes(request).length ? { requestHeadersToRemove: removes(request) } : {}),
    ...(writes(response).length ? { responseHeadersToAdd: writes(response) } : {}),
    ...(removes(response).length ? { responseHeadersToRemove: removes(response) } : {}),
  };
  return Object.keys(rules).length > 0 ? rules : undefined;
}

/** The route policies of `options` (and `mirrors`) as the spec's extension fields; undefined when there are none. */
export function renderRoutePolicies(
  scope: Construct,
  options: RoutePolicyOptions,
  mirrors?: readonly RequestMirror[],
): spec.RouteExtensions | undefined {
  const headerRules = renderHeaderRules(scope, options);
  const requestMirrors = (mirrors ?? []).map(mirror => mirror.bind(scope).requestMirror);
  const extensions: spec.RouteExtensions = {
    ...(options.faultInjection ? { faultInjection: options.faultInjection.bind(scope).faultInjection } : {}),
    ...(requestMirrors.length ? { requestMirrors } : {}),
    ...(headerRules ? { headerRules } : {}),
  };
  return Object.keys(extensions).length > 0 ? extensions : undefined;
}
