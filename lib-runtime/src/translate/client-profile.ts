/**
 * Who is asking, from the xDS `node` alone, and what that client needs rendered differently
 * (docs/compatibility.md). Pure: the same node always gives the same profile.
 */

export type ClientFamily = 'envoy' | 'grpc-c-core' | 'grpc-js' | 'grpc-java' | 'grpc-go' | 'unknown';

export interface ClientVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * The rendering decisions that differ between clients. Everything else is rendered the same for
 * all, so configuration is keyed on these and not on the raw version string.
 */
export interface RenderChoices {
  /** Which of a node's two views: Envoy listeners, or api_listeners for a proxyless gRPC client. */
  readonly view: 'envoy' | 'proxyless';
  /** Set `WeightedCluster.total_weight` to the sum of the weights: without it the client assumes 100. */
  readonly totalWeight: boolean;
  /** Spell header matchers with the fields from before `HeaderMatcher.string_match`. */
  readonly legacyHeaderMatch: boolean;
  /** Name the RE2 engine (`google_re2`) in every RegexMatcher: required before it became the default. */
  readonly regexEngine: boolean;
  /** Subject alternative name checks in the untyped `match_subject_alt_names`, from before the typed ones. */
  readonly legacySanMatch: boolean;
}

export interface ClientProfile {
  readonly family: ClientFamily;
  /** Absent when the node does not say, or says it in a form we do not read. */
  readonly version?: ClientVersion;
  readonly choices: RenderChoices;
}

/** The parts of an xDS `Node` the profile reads, as proto-loader delivers them. */
export interface ClientNode {
  readonly user_agent_name?: unknown;
  readonly user_agent_version?: unknown;
  readonly user_agent_build_version?: unknown;
  readonly [field: string]: unknown;
}

interface CurrentFormSince {
  readonly totalWeight: ClientVersion;
  readonly stringMatch: ClientVersion;
  /** Absent: the family never required the engine field. */
  readonly regexEngineOptional?: ClientVersion;
  /** Absent: the family's view carries no typed SAN matchers. */
  readonly typedSanMatch?: ClientVersion;
}

/**
 * Per family, the first version that reads the current form of each choice (from each project's
 * release notes; docs/compatibility.md has the sources).
 */
const CURRENT_FORM_SINCE: { readonly [family in ClientFamily]?: CurrentFormSince } = {
  // 1.24 deprecated total_weight and sums the weights; 1.20 added string_match; 1.23 made RE2 the
  // default engine; 1.21 added match_typed_subject_alt_names (an older Envoy ignores it: no SAN check).
  'envoy': { totalWeight: v(1, 24), stringMatch: v(1, 20), regexEngineOptional: v(1, 23), typedSanMatch: v(1, 21) },
  // 1.53 stopped comparing the sum with total_weight (grpc/grpc#32134); 1.56 added string_match (gRFC A63).
  'grpc-c-core': { totalWeight: v(1, 53), stringMatch: v(1, 56) },
  // Before 1.14.1 an absent total_weight meant 100 when picking (grpc/grpc-node#3070); 1.9 added string_match.
  'grpc-js': { totalWeight: v(1, 14, 1), stringMatch: v(1, 9) },
  // 1.53 validates the sum, not total_weight (grpc/grpc-java#9738); 1.53 added string_match.
  'grpc-java': { totalWeight: v(1, 53), stringMatch: v(1, 53) },
  // Compared the sum with total_weight (absent = 100) until grpc/grpc-go#6085 (1.54); 1.56 added string_match.
  'grpc-go': { totalWeight: v(1, 54), stringMatch: v(1, 56) },
};

/** The profile of the client that sent `node`. */
export function clientProfile(node: ClientNode): ClientProfile {
  const family = clientFamily(node.user_agent_name);
  const version = clientVersion(family, node);
  // Any gRPC library takes the proxyless view; anything else the Envoy view, as App Mesh served it.
  const view = /grpc/i.test(text(node.user_agent_name)) ? 'proxyless' : 'envoy';
  const since = CURRENT_FORM_SINCE[family];
  // Older spellings only for a client known to predate the current one: every real Envoy and gRPC
  // library names itself and its version, so what does not is a custom client, given the current API.
  // C-core without a release number (see clientVersion) gets them too: every C-core version reads them.
  const older = (current: keyof CurrentFormSince) => {
    const first = since?.[current];
    return !!first && (version ? !atLeast(version, first) : family === 'grpc-c-core');
  };
  return {
    family,
    ...(version ? { version } : {}),
    choices: {
      view,
      totalWeight: older('totalWeight'),
      legacyHeaderMatch: older('stringMatch'),
      regexEngine: older('regexEngineOptional'),
      legacySanMatch: older('typedSanMatch'),
    },
  };
}

const CHOICE_NAMES = [
  ['totalWeight', 'total-weight'],
  ['legacyHeaderMatch', 'legacy-header-match'],
  ['regexEngine', 'regex-engine'],
  ['legacySanMatch', 'legacy-san-match'],
] as const;

/**
 * A short stable key for a set of choices: the view, then each older spelling the client needs,
 * e.g. `proxyless+total-weight+legacy-header-match`; plain `envoy` / `proxyless` for current clients.
 */
export function choicesKey(choices: RenderChoices): string {
  return [choices.view, ...CHOICE_NAMES.filter(([field]) => choices[field]).map(([, name]) => name)].join('+');
}

/** The choices a key from `choicesKey` stands for. */
export function choicesOfKey(key: string): RenderChoices {
  const [view, ...names] = key.split('+');
  if (view !== 'envoy' && view !== 'proxyless') throw new Error(`not a client view key: ${key}`);
  const has = (name: string) => names.includes(name);
  return {
    view,
    totalWeight: has('total-weight'),
    legacyHeaderMatch: has('legacy-header-match'),
    regexEngine: has('regex-engine'),
    legacySanMatch: has('legacy-san-match'),
  };
}

/**
 * gRPC libraries name themselves "gRPC C-core <platform> …", "gRPC Node Pure JS", "gRPC Java",
 * "gRPC Go"; Envoy sends "envoy". Anything else, or nothing, is unknown.
 */
function clientFamily(name: unknown): ClientFamily {
  const agent = text(name);
  if (/^envoy\b/i.test(agent)) return 'envoy';
  if (/c-core/i.test(agent)) return 'grpc-c-core';
  if (/grpc node/i.test(agent)) return 'grpc-js';
  if (/grpc java/i.test(agent)) return 'grpc-java';
  if (/grpc go/i.test(agent)) return 'grpc-go';
  return 'unknown';
}

/**
 * Envoy sends `user_agent_build_version.version` {major_number, minor_number, patch}; gRPC
 * libraries a string in `user_agent_version`: the release ("1.14.1"), except C-core, which sends
 * its own core library version and then the wrapping language's release ("C-core 29.0.0 Python
 * 1.51.1"). The core version is not the release, so C-core's is the second number, if any.
 */
function clientVersion(family: ClientFamily, node: ClientNode): ClientVersion | undefined {
  const build = node.user_agent_build_version;
  if (build && typeof build === 'object') {
    const semantic = (build as { version?: unknown }).version;
    if (semantic && typeof semantic === 'object') {
      const { major_number: major, minor_number: minor, patch } = semantic as Record<string, unknown>;
      if (isCount(major) && isCount(minor)) return v(major, minor, isCount(patch) ? patch : 0);
    }
  }
  if (family === 'unknown') return undefined;
  const numbers = [...text(node.user_agent_version).matchAll(/(\d+)\.(\d+)(?:\.(\d+))?/g)];
  const match = family === 'grpc-c-core' ? numbers[1] : numbers[0];
  return match ? v(Number(match[1]), Number(match[2]), Number(match[3] ?? 0)) : undefined;
}

function atLeast(a: ClientVersion, b: ClientVersion): boolean {
  return a.major !== b.major ? a.major > b.major : a.minor !== b.minor ? a.minor > b.minor : a.patch >= b.patch;
}

function v(major: number, minor: number, patch = 0): ClientVersion {
  return { major, minor, patch };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
