export * from './mesh-graph';
export * from './match-summary';
export * from './mermaid';
export * from './svg';
export * from './cli';
