export * from './definitions';
export * from './abnf';
export * from './result-codes';
export * from './cx-application';
export * from './dictionary';
