export * from './scscf-set';
export * from './select-scscf';
