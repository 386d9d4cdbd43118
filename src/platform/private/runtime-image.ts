import * as path from 'path';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Root of this package (src/platform/private → ../../.., lib/platform/private likewise). */
export const PACKAGE_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * Files of the package the runtime image is built from: everything else (node_modules, .git,
 * sources, cdk.out) stays out of the staged build context. Docker-ignore syntax.
 */
export const RUNTIME_IMAGE_CONTEXT = ['*', '!package.json', '!package-lock.json', '!lib-runtime/Dockerfile', '!lib-runtime/dist'];

/** The control-plane image built from `packageRoot` with `lib-runtime/Dockerfile`. */
export function runtimeImageAsset(packageRoot: string = PACKAGE_ROOT): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(packageRoot, {
    file: 'lib-runtime/Dockerfile',
    exclude: RUNTIME_IMAGE_CONTEXT,
  });
}
