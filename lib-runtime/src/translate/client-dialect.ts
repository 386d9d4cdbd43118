import { RenderChoices } from './client-profile';
import { EnvoyConfig, NodeConfig, ProtoJson } from './types';

/**
 * Translation renders the current Envoy v3 API. Some clients still in use read an older spelling
 * (client-profile.ts decides which); this spells a node's view their way. Route matching and
 * weighted clusters differ in route configurations (RDS resources, and the inline ones of
 * proxyless api_listeners), SAN checks in the TLS contexts of listeners and clusters. Every other
 * resource is passed through as the same object, and a rewritten one is made once per
 * (resource, choices), so the xDS layer still recognises shared resources by identity.
 */
export function configForClient(config: NodeConfig, choices: RenderChoices): EnvoyConfig {
  const view = config[choices.view];
  const routing = choices.totalWeight || choices.legacyHeaderMatch || choices.regexEngine;
  if (!routing && !choices.legacySanMatch) return view;
  const key = dialectKey(choices);
  return {
    ...view,
    listeners: view.listeners.map(listener => once(key, listener, () => listenerInDialect(listener, choices))),
    routes: routing ? view.routes.map(routeConfig => once(key, routeConfig, () => routeConfigurationInDialect(routeConfig, choices))) : view.routes,
    clusters: choices.legacySanMatch ? view.clusters.map(cluster => once(key, cluster, () => withTransportSocketInDialect(cluster))) : view.clusters,
  };
}

const madeByDialect = new Map<string, WeakMap<ProtoJson, ProtoJson>>();

function once(key: string, resource: ProtoJson, make: () => ProtoJson): ProtoJson {
  let made = madeByDialect.get(key);
  if (!made) {
    made = new WeakMap();
    madeByDialect.set(key, made);
  }
  let out = made.get(resource);
  if (!out) {
    out = make();
    made.set(resource, out);
  }
  return out;
}

function dialectKey(choices: RenderChoices): string {
  return `${+choices.totalWeight}${+choices.legacyHeaderMatch}${+choices.regexEngine}${+choices.legacySanMatch}`;
}

/** A proxyless listener's inline route configuration, or an Envoy listener's TLS contexts. */
function listenerInDialect(listener: ProtoJson, choices: RenderChoices): ProtoJson {
  const chains = listener.filter_chains as ProtoJson[] | undefined;
  if (chains && choices.legacySanMatch) {
    return { ...listener, filter_chains: chains.map(withTransportSocketInDialect) };
  }
  const outer = listener.api_listener as ProtoJson | undefined;
  const hcm = outer?.api_listener as ProtoJson | undefined;
  const routeConfig = hcm?.route_config as ProtoJson | undefined;
  if (!routeConfig) return listener;
  return { ...listener, api_listener: { ...outer, api_listener: { ...hcm, route_config: routeConfigurationInDialect(routeConfig, choices) } } };
}

function routeConfigurationInDialect(routeConfig: ProtoJson, choices: RenderChoices): ProtoJson {
  const virtualHosts = routeConfig.virtual_hosts as ProtoJson[] | undefined;
  if (!virtualHosts) return routeConfig;
  return {
    ...routeConfig,
    virtual_hosts: virtualHosts.map(vh => ({
      ...vh,
      routes: ((vh.routes as ProtoJson[] | undefined) ?? []).map(route => routeInDialect(route, choices)),
    })),
  };
}

function routeInDialect(route: ProtoJson, choices: RenderChoices): ProtoJson {
  const out: ProtoJson = { ...route, match: matchInDialect(route.match as ProtoJson, choices) };
  // HeaderValueOption.append_action is Envoy 1.23's; an older Envoy ignores it and appends. Every
  // Envoy before 1.24 (the clients that get total_weight) reads the `append` spelling, 1.23 included.
  if (choices.view === 'envoy' && choices.totalWeight) {
    for (const field of ['request_headers_to_add', 'response_headers_to_add']) {
      const options = route[field] as ProtoJson[] | undefined;
      if (options) out[field] = options.map(headerValueOptionInDialect);
    }
  }
  const action = route.route as ProtoJson | undefined;
  const weighted = action?.weighted_clusters as ProtoJson | undefined;
  if (choices.totalWeight && weighted) {
    // Clients that predate the deprecation compare the sum with total_weight, which defaults to 100.
    const sum = (weighted.clusters as ProtoJson[]).reduce((total, c) => total + Number((c.weight as ProtoJson).value), 0);
    out.route = { ...action, weighted_clusters: { ...weighted, total_weight: { value: sum } } };
  }
  return out;
}

/**
 * `append_action` → `append`: APPEND_IF_EXISTS_OR_ADD is `append: true`; OVERWRITE_IF_EXISTS_OR_ADD
 * and ADD_IF_ABSENT (which has no older spelling: the closest, it overwrites) are `append: false`.
 */
function headerValueOptionInDialect(option: ProtoJson): ProtoJson {
  if (option.append_action === undefined) return option;
  const { append_action: action, ...rest } = option;
  return { ...rest, append: { value: action === 'APPEND_IF_EXISTS_OR_ADD' } };
}

function matchInDialect(match: ProtoJson, choices: RenderChoices): ProtoJson {
  const out: ProtoJson = { ...match };
  if (choices.regexEngine && match.safe_regex) out.safe_regex = withEngine(match.safe_regex as ProtoJson);
  const headers = match.headers as ProtoJson[] | undefined;
  if (headers) out.headers = headers.map(header => headerInDialect(header, choices));
  return out;
}

/** StringMatcher member → the HeaderMatcher field it replaced. */
const LEGACY_HEADER_FIELD: { readonly [member: string]: string } = {
  exact: 'exact_match',
  prefix: 'prefix_match',
  suffix: 'suffix_match',
  safe_regex: 'safe_regex_match',
  contains: 'contains_match',
};

function headerInDialect(header: ProtoJson, choices: RenderChoices): ProtoJson {
  const stringMatch = header.string_match as ProtoJson | undefined;
  if (!stringMatch) return header;
  const [member, value] = Object.entries(stringMatch).find(([k]) => k in LEGACY_HEADER_FIELD) ?? [];
  const regex = member === 'safe_regex' && choices.regexEngine ? withEngine(value as ProtoJson) : value;
  if (!choices.legacyHeaderMatch || member === undefined || stringMatch.ignore_case) {
    // ignore_case has no legacy spelling; translation never sets it.
    return regex === value ? header : { ...header, string_match: { ...stringMatch, [member!]: regex } };
  }
  const { string_match: _, ...rest } = header;
  return { ...rest, [LEGACY_HEADER_FIELD[member]]: regex };
}

function withEngine(regexMatcher: ProtoJson): ProtoJson {
  return { google_re2: {}, ...regexMatcher };
}

/**
 * A cluster's or filter chain's TLS context with its SAN matchers untyped: the typed list is newer
 * than Envoy 1.21, and an older Envoy ignores what it does not know, so it would check no SAN at all.
 */
function withTransportSocketInDialect(holder: ProtoJson): ProtoJson {
  const socket = holder.transport_socket as ProtoJson | undefined;
  const context = socket?.typed_config as ProtoJson | undefined;
  const common = context?.common_tls_context as ProtoJson | undefined;
  if (!common) return holder;
  const combined = common.combined_validation_context as ProtoJson | undefined;
  const validation = (combined?.default_validation_context ?? common.validation_context) as ProtoJson | undefined;
  const typed = validation?.match_typed_subject_alt_names as ProtoJson[] | undefined;
  if (!typed) return holder;
  const { match_typed_subject_alt_names: _, ...rest } = validation!;
  const untyped = { ...rest, match_subject_alt_names: typed.map(san => san.matcher) };
  const commonOut = combined
    ? { ...common, combined_validation_context: { ...combined, default_validation_context: untyped } }
    : { ...common, validation_context: untyped };
  return { ...holder, transport_socket: { ...socket, typed_config: { ...context, common_tls_context: commonOut } } };
}
