export * from './types';
export * from './endpoint-state';
export * from './poller';
export * from './targets';
export * from './static-file';
export * from './dns';
export * from './cloud-map';
export * from './composite';
