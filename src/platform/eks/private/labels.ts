/** Label keys the library puts on every Kubernetes object it renders. */
export const NAME_LABEL = 'app.kubernetes.io/name';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Value of MANAGED_BY_LABEL. */
export const MANAGED_BY = 'open-app-mesh';
/** The mesh an object belongs to; with NAME_LABEL it selects a workload's pods. */
export const MESH_LABEL = 'open-app-mesh/mesh';
