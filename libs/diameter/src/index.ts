export * from './codec';
export * from './dictionary';
export * from './validation';
export * from './cx';
export * from './peer';
