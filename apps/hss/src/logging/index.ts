export * from './hss-logger';
