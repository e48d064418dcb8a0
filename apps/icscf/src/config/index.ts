export * from './icscf.config';
