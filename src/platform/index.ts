export * from './envoy-bootstrap';
export * from './envoy-image';
export * from './spec-delivery';
export * from './control-plane';
export { EnvoyContainerOptions, ENVOY_CONTAINER_NAME, ENVOY_UID } from './ecs/envoy-container';
export { MESH_AGENT_CONTAINER_NAME, MESH_AGENT_HEALTH_PORT } from './ecs/mesh-agent-container';
export * from './ecs/envoy-sidecar';
export * from './ecs/mesh-fargate-service';
export * from './ecs/gateway-fargate-service';
