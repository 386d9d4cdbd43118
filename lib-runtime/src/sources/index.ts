export * from './spec-source';
export * from './file-spec-source';
export * from './watched-file';
