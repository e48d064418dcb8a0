export * from './hss-config-spec';
export * from './hss.config';
