export * from './hss-client-error';
export * from './hss-client';
