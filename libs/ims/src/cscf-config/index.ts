export * from './cscf-common-spec';
