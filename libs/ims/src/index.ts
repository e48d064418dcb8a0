export {};
export * from './config';
export * from './aka';
export * from './identity';
export * from './ifc';
export * from './hosts';
export * from './failure';
export * from './user-data';
