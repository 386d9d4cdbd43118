export * from './mesh-resource-kind';
export * from './mesh-template';
