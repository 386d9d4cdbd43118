import { items, quote, RuleContext } from './rule';
import { checkDuration, checkExactlyOne } from './shared-checks';
import { FaultInjectionPolicy } from '../extensions/fault-injection';
import { HeaderRulesPolicy } from '../extensions/header-rules';

/*
 * Checks shared by the extension rules of routes and gateway routes (docs/policies.md).
 * Ranges and shapes are the extension schema's; these are what a schema cannot say.
 */

/** Token characters of a header name (RFC 9110), lower case as HTTP/2 requires. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** A header name a policy may write or remove: no pseudo-header, not `host`, lower-case token characters. */
export function checkPolicyHeaderName(name: unknown, path: string, ctx: RuleContext, writes: boolean): void {
  if (typeof name !== 'string' || !ctx.known(name)) return;
  if (name.startsWith(':')) {
    ctx.report(path, `${quote(name)} is a pseudo-header; Envoy refuses to ${writes ? 'write' : 'remove'} headers starting with ":"`);
  } else if (name === 'host') {
    ctx.report(path, `Envoy refuses to ${writes ? 'write' : 'remove'} "host" with header rules; rewrite the host with the route's action instead`);
  } else if (!HEADER_NAME.test(name)) {
    ctx.report(path, `${quote(name)} is not a header name Envoy accepts here: use lower-case letters, digits and !#$%&'*+.^_\`|~-`);
  }
}

/** A fault injection policy: delay or abort set, an abort with one status, a complete delay. */
export function checkFaultInjection(fault: FaultInjectionPolicy | undefined, path: string, ctx: RuleContext): void {
  if (fault === undefined || !ctx.known(fault)) return;
  if (fault.delay === undefined && fault.abort === undefined) {
    ctx.report(path, 'fault injection needs a delay, an abort or both; headerPresent alone injects nothing');
  }
  if (fault.abort !== undefined) checkExactlyOne(fault.abort, ['httpStatus', 'grpcStatus'], `${path}.abort`, ctx, 'a fault abort');
  if (fault.delay !== undefined) checkDuration(fault.delay.fixedDelay, `${path}.delay.fixedDelay`, ctx);
  if (fault.headerPresent !== undefined && typeof fault.headerPresent === 'string' && ctx.known(fault.headerPresent)
    && !HEADER_NAME.test(fault.headerPresent)) {
    ctx.report(`${path}.headerPresent`, `${quote(fault.headerPresent)} is not a lower-case header name`);
  }
}

/** Header rules: names Envoy accepts, and each header written at most once per direction. */
export function checkHeaderRules(rules: HeaderRulesPolicy | undefined, path: string, ctx: RuleContext): void {
  if (rules === undefined || !ctx.known(rules)) return;
  for (const direction of ['request', 'response'] as const) {
    const added = items(rules[`${direction}HeadersToAdd`]);
    const removed = items(rules[`${direction}HeadersToRemove`]);
    const seen = new Map<string, number>();
    added.forEach((rule, i) => {
      checkPolicyHeaderName(rule?.name, `${path}.${direction}HeadersToAdd[${i}].name`, ctx, true);
      if (typeof rule?.value === 'string' && ctx.known(rule.value) && /[\r\n\0]/.test(rule.value)) {
        ctx.report(`${path}.${direction}HeadersToAdd[${i}].value`, 'a header value must not contain CR, LF or NUL (Envoy refuses it)');
      }
      if (typeof rule?.name !== 'string' || !ctx.known(rule.name)) return;
      if (removed.includes(rule.name)) {
        ctx.report(`${path}.${direction}HeadersToAdd[${i}].name`, `${quote(rule.name)} is both added and in ${direction}HeadersToRemove; say one`);
      }
      const first = seen.get(rule.name);
      if (first !== undefined && rule.action !== 'APPEND') {
        ctx.report(`${path}.${direction}HeadersToAdd[${i}].name`, `${quote(rule.name)} is written again (also ${direction}HeadersToAdd[${first}]); only APPEND rules may repeat a name`);
      }
      if (first === undefined) seen.set(rule.name, i);
    });
    removed.forEach((name, i) => checkPolicyHeaderName(name, `${path}.${direction}HeadersToRemove[${i}]`, ctx, false));
  }
}
