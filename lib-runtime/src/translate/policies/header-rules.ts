import { HeaderRulesPolicy, HeaderValueRule } from '../../../../src/spec/extensions/header-rules';
import { ProtoJson } from '../types';

/**
 * Header rules → the route's `request_headers_to_add`/`_remove` and `response_headers_to_add`/`_remove`.
 * Clients from before `HeaderValueOption.append_action` (Envoy 1.23) read the `append` spelling
 * (client-dialect.ts).
 */

const APPEND_ACTION: { readonly [action in HeaderValueRule['action']]: string } = {
  APPEND: 'APPEND_IF_EXISTS_OR_ADD',
  SET: 'OVERWRITE_IF_EXISTS_OR_ADD',
  ADD_IF_ABSENT: 'ADD_IF_ABSENT',
};

function headerValueOptions(rules: readonly HeaderValueRule[]): ProtoJson[] {
  return rules.map(rule => ({ header: { key: rule.name, value: rule.value }, append_action: APPEND_ACTION[rule.action] }));
}

/**
 * The route fields of a policy. `existing` is the route's own `request_headers_to_add` (a gateway
 * route's `x-app-mesh-virtual-service`): it stays first, the policy's follow.
 */
export function headerRuleFields(rules: HeaderRulesPolicy, existing?: readonly ProtoJson[]): ProtoJson {
  const fields: ProtoJson = {};
  const requestAdds = [...(existing ?? []), ...headerValueOptions(rules.requestHeadersToAdd ?? [])];
  if (requestAdds.length > 0) fields.request_headers_to_add = requestAdds;
  if (rules.requestHeadersToRemove?.length) fields.request_headers_to_remove = [...rules.requestHeadersToRemove];
  if (rules.responseHeadersToAdd?.length) fields.response_headers_to_add = headerValueOptions(rules.responseHeadersToAdd);
  if (rules.responseHeadersToRemove?.length) fields.response_headers_to_remove = [...rules.responseHeadersToRemove];
  return fields;
}
