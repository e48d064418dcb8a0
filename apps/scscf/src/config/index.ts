export * from './scscf.config';
