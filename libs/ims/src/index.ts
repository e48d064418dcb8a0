export {};
export * from './config';
