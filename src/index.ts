export * as spec from './spec';
