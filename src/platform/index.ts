export * from './envoy-bootstrap';
export * from './envoy-image';
export * from './spec-delivery';
export * from './control-plane';
export * from './ecs/envoy-container';
export * from './ecs/envoy-sidecar';
export * from './ecs/mesh-fargate-service';
export * from './ecs/gateway-fargate-service';
