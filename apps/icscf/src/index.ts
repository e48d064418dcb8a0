export * from './config';
export * from './icscf-app';
export * from './icscf-runtime';
export * from './icscf.module';
export * from './icscf.service';
export * from './registration';
export * from './routing';
export * from './scscf-selection';
