export { generateCdkApp } from './generate';
export type { GeneratedApp, GeneratedFile, GenerateOptions } from './generate';
export { constructsForm } from './constructs-form';
export { EXTENSION_MARK } from './fragments';
export { CodegenError } from './context';
export type { CodegenIssue } from './context';
