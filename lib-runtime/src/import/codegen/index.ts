export { generateCdkApp, GeneratedApp, GeneratedFile, GenerateOptions } from './generate';
export { constructsForm } from './constructs-form';
export { CodegenError, CodegenIssue } from './context';
