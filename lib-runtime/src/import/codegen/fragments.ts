/**
 * Spec fragments shared by several resource kinds, as construct API calls: durations, health
 * checks, TLS, access logs, header matches.
 */
import { arr, bool, call, Code, num, obj, raw, str } from './code';
import { durationMillis } from './constructs-form';
import { GenContext } from './context';
import { camelCase } from './names';
import * as spec from '../../../../src/spec/appmesh-types';

/** Marks construct API that aws-cdk-lib/aws-appmesh lacks, on the line above its use. */
export const EXTENSION_MARK = 'open-app-mesh only:';

/** `Duration.seconds(15)`, or `Duration.millis(250)` when not whole seconds. */
export function durationCode(ctx: GenContext, duration: spec.Duration): Code {
  ctx.use('Duration');
  const ms = durationMillis(duration);
  return ms % 1000 === 0 ? call('Duration.seconds', num(ms / 1000)) : call('Duration.millis', num(ms));
}

/** `{ idle, perRequest }` of a route or listener timeout; undefined when empty. */
export function timeoutCode(ctx: GenContext, timeout: spec.HttpTimeout | spec.TcpTimeout | undefined): Code | undefined {
  if (timeout === undefined) return undefined;
  const perRequest = (timeout as spec.HttpTimeout).perRequest;
  const code = obj(
    timeout.idle && ['idle', durationCode(ctx, timeout.idle)],
    perRequest && ['perRequest', durationCode(ctx, perRequest)],
  );
  return code.props.length === 0 ? undefined : ctx.share('timeout', code);
}

/** `appmesh.HealthCheck.http({...})` of a listener's check. */
export function healthCheckCode(
  ctx: GenContext, check: spec.HealthCheckPolicy | spec.VirtualGatewayHealthCheckPolicy, listenerPort: number,
): Code {
  // The validator refuses a path on other checks: App Mesh uses the path of HTTP and HTTP/2 checks only.
  const httpLike = check.protocol === 'http' || check.protocol === 'http2';
  const portDiffers = check.port !== undefined && check.port !== listenerPort;
  const options = obj(
    ['healthyThreshold', num(check.healthyThreshold)],
    ['interval', durationCode(ctx, { unit: 'ms', value: check.intervalMillis })],
    httpLike && check.path !== undefined ? ['path', str(check.path)] : undefined,
    ['timeout', durationCode(ctx, { unit: 'ms', value: check.timeoutMillis })],
    ['unhealthyThreshold', num(check.unhealthyThreshold)],
    portDiffers ? ['port', num(check.port!), `${EXTENSION_MARK} a health check port other than the listener's`] : undefined,
  );
  return ctx.share(`${check.protocol}HealthCheck`, call(`appmesh.HealthCheck.${check.protocol}`, options));
}

/** `appmesh.AccessLog.fromFilePath(...)` of a node's or gateway's logging; undefined without a log. */
export function accessLogCode(ctx: GenContext, logging: spec.Logging | spec.VirtualGatewayLogging | undefined, path: string): Code | undefined {
  const file = logging?.accessLog?.file;
  if (file === undefined) return undefined;
  const args: Code[] = [str(file.path)];
  const format = file.format;
  if (format?.text !== undefined) args.push(call('appmesh.LoggingFormat.fromText', str(format.text)));
  if (format?.json !== undefined) {
    const keys = new Set<string>();
    for (const [i, entry] of format.json.entries()) {
      if (keys.has(entry.key)) ctx.error(`${path}.accessLog.file.format.json[${i}]`, `the key ${JSON.stringify(entry.key)} appears twice; LoggingFormat.fromJson takes an object, whose keys are unique`);
      keys.add(entry.key);
    }
    args.push(call('appmesh.LoggingFormat.fromJson', obj(...format.json.map((e): [string, Code] => [e.key, str(e.value)]))));
  }
  const hint = file.path === '/dev/stdout' ? 'stdoutAccessLog' : 'accessLog';
  return ctx.share(hint, call('appmesh.AccessLog.fromFilePath', ...args));
}

/** A certificate a listener presents. */
function certificateCode(ctx: GenContext, certificate: spec.ListenerTlsCertificate): Code {
  if (certificate.acm !== undefined) {
    const arn = certificate.acm.certificateArn;
    ctx.use('acm');
    const ref = ctx.reference(`acm:${arn}`, `${arnStem(arn)}Certificate`, `${pascal(arnStem(arn))}Certificate`,
      (id) => call('acm.Certificate.fromCertificateArn', raw('this'), str(id), str(arn)));
    return call('appmesh.TlsCertificate.acm', ref);
  }
  if (certificate.file !== undefined) {
    return call('appmesh.TlsCertificate.file', str(certificate.file.certificateChain), str(certificate.file.privateKey));
  }
  return call('appmesh.TlsCertificate.sds', str(certificate.sds!.secretName));
}

/** Trusted authorities of a validation context. */
function trustCode(ctx: GenContext, trust: spec.TlsValidationContextTrust): Code {
  if (trust.acm !== undefined) {
    ctx.use('acmpca');
    const authorities = trust.acm.certificateAuthorityArns.map((arn) =>
      ctx.reference(`acmpca:${arn}`, `${arnStem(arn)}Authority`, `${pascal(arnStem(arn))}Authority`,
        (id) => call('acmpca.CertificateAuthority.fromCertificateAuthorityArn', raw('this'), str(id), str(arn))));
    return call('appmesh.TlsValidationTrust.acm', arr(authorities));
  }
  if (trust.file !== undefined) return call('appmesh.TlsValidationTrust.file', str(trust.file.certificateChain));
  return call('appmesh.TlsValidationTrust.sds', str(trust.sds!.secretName));
}

function validationCode(ctx: GenContext, validation: spec.TlsValidationContext): Code {
  const names = validation.subjectAlternativeNames?.match.exact;
  return obj(
    names && ['subjectAlternativeNames', call('appmesh.SubjectAlternativeNames.matchingExactly', ...names.map(str))],
    ['trust', trustCode(ctx, validation.trust)],
  );
}

/** `{ mode, certificate, mutualTlsValidation }` of a listener. */
export function listenerTlsCode(ctx: GenContext, tls: spec.ListenerTls | spec.VirtualGatewayListenerTls): Code {
  return ctx.share('listenerTls', obj(
    ['mode', raw(`appmesh.TlsMode.${tls.mode}`)],
    ['certificate', certificateCode(ctx, tls.certificate)],
    tls.validation && ['mutualTlsValidation', validationCode(ctx, tls.validation)],
  ), 'appmesh.ListenerTlsOptions');
}

/** `{ tlsClientPolicy: {...} }` of backend defaults or one backend; undefined without TLS. */
export function clientPolicyCode(ctx: GenContext, policy: spec.ClientPolicy | spec.VirtualGatewayClientPolicy | undefined): Code | undefined {
  const tls = policy?.tls;
  if (tls === undefined) return undefined;
  const certificate = tls.certificate;
  const tlsCode = obj(
    tls.enforce === false ? ['enforce', bool(false)] : undefined,
    tls.ports !== undefined && tls.ports.length > 0 ? ['ports', arr(tls.ports.map(num))] : undefined,
    ['validation', validationCode(ctx, tls.validation)],
    certificate && ['mutualTlsCertificate', certificate.file !== undefined
      ? call('appmesh.TlsCertificate.file', str(certificate.file.certificateChain), str(certificate.file.privateKey))
      : call('appmesh.TlsCertificate.sds', str(certificate.sds!.secretName))],
  );
  return obj(['tlsClientPolicy', ctx.share('tlsClientPolicy', tlsCode, 'appmesh.TlsClientPolicy')]);
}

const HEADER_METHODS: Record<string, [string, string]> = {
  exact: ['valueIs', 'valueIsNot'],
  prefix: ['valueStartsWith', 'valueDoesNotStartWith'],
  suffix: ['valueEndsWith', 'valueDoesNotEndWith'],
  regex: ['valueMatchesRegex', 'valueDoesNotMatchRegex'],
  range: ['valuesIsInRange', 'valuesIsNotInRange'],
};

/** `appmesh.HeaderMatch.valueIs(...)` and kin for headers and gRPC metadata. */
export function headerMatchesCode(ctx: GenContext, headers: spec.HttpRouteHeader[] | undefined, path: string): Code | undefined {
  if (headers === undefined) return undefined;
  return arr(headers.map((header, i) => {
    const match = header.match;
    const kind = match === undefined ? undefined : Object.keys(HEADER_METHODS).find((k) => (match as Record<string, unknown>)[k] !== undefined);
    if (match === undefined || kind === undefined) {
      ctx.error(`${path}[${i}]`, `a match on the presence of ${JSON.stringify(header.name)} (no match method) cannot be written: HeaderMatch always compares the value`);
      return raw('undefined');
    }
    const method = `appmesh.HeaderMatch.${HEADER_METHODS[kind][header.invert === true ? 1 : 0]}`;
    if (kind === 'range') return call(method, str(header.name), num(match.range!.start), num(match.range!.end));
    return call(method, str(header.name), str((match as Record<string, string>)[kind]));
  }));
}

/** `appmesh.QueryParameterMatch.valueIs(...)` list. */
export function queryParametersCode(ctx: GenContext, params: spec.HttpQueryParameter[] | undefined, path: string): Code | undefined {
  if (params === undefined) return undefined;
  return arr(params.map((param, i) => {
    if (param.match?.exact === undefined) {
      ctx.error(`${path}[${i}]`, `a match on the presence of the query parameter ${JSON.stringify(param.name)} cannot be written: QueryParameterMatch only has valueIs`);
      return raw('undefined');
    }
    return call('appmesh.QueryParameterMatch.valueIs', str(param.name), str(param.match.exact));
  }));
}

/** A readable variable stem from the last segment of an ARN (`.../certificate/abc-123` → `abc123`). */
function arnStem(arn: string): string {
  const last = arn.split(/[/:]/).filter((s) => s.length > 0).pop() ?? '';
  const stem = camelCase(last);
  return stem.length > 0 && stem.length <= 30 && /^[a-z]/.test(stem) ? stem : 'imported';
}

function pascal(stem: string): string {
  return stem[0].toUpperCase() + stem.slice(1);
}
