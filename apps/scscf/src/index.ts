export * from './scscf-app';
export * from './config';
