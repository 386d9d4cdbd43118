/**
 * grpc-js-xds 1.14 implements xDS RBAC for servers (gRFC A41) behind GRPC_XDS_EXPERIMENTAL_RBAC,
 * read once when the package loads: import this module before `@grpc/grpc-js-xds`.
 */
process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
