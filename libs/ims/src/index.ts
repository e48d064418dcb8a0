export {};
export * from './config';
export * from './aka';
