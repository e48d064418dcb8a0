export * from './binding';
export * from './user-profile';
export * from './registration-store';
export * from './registrar.service';
