export * from './binding';
export * from './user-profile';
export * from './registration-store';
export * from './registrar.service';
export * from './registration-persistence';
