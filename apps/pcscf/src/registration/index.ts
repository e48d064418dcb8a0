export * from './pcscf-registration';
export * from './registration-store';
