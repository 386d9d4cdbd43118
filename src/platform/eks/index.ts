export * from './kubernetes-options';
export * from './kubernetes-manifests';
export * from './eks-mesh';
