/** The generic xDS server: protocol, versions, fan-out. Knows nothing of meshes. */
export * from './abbreviate';
export * from './events';
export { DEFAULT_XDS_LIMITS, resolveXdsLimits, XDS_LIMIT_FLAGS, type XdsLimits } from './limits';
export * from './protos';
export * from './type-urls';
export { type CachedResource, type EncodeStats, type ResourceInput, type TypeSnapshot } from './resource-cache';
export { XdsServer, type XdsServerOptions, type XdsServerStats, type XdsSnapshotInput } from './xds-server';
export { checkSnapshotConsistency, describeIssues, type ConsistencyOptions, type SnapshotIssue } from './consistency';
