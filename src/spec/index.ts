export * from './appmesh-types';
export * from './document';
