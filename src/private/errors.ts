import { IConstruct } from 'constructs';

/**
 * An error raised while a mesh resource or one of its parts is defined.
 *
 * The message names the construct path when one is known (the factory classes
 * run before any construct exists, so theirs cannot) and ends with the rule code,
 * the same code aws-cdk-lib/aws-appmesh uses for the same rule, so users can
 * search for it.
 */
export function meshError(code: string, message: string, scope?: IConstruct): Error {
  const where = scope ? `[${scope.node.path}] ` : '';
  const error = new Error(`${where}${message} (${code})`);
  error.name = 'MeshValidationError';
  Object.defineProperty(error, 'code', { value: code, enumerable: false });
  return error;
}
