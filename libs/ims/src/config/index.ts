export * from './config-error';
export * from './env-spec';
export * as parse from './parsers';
