export * from './hss.config';
