export * from './ifc-error';
export * from './ifc-match';
export * from './ifc-model';
