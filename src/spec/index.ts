export * from './appmesh-types';
export * from './document';
export * from './validate';
export * from './canonical';
export * from './intrinsic';
export * from './extensions';
