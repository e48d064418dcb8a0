export * from './pcscf.config';
