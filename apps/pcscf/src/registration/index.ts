export * from './pcscf-registration';
export * from './registration-store';
export * from './registration-persistence';
