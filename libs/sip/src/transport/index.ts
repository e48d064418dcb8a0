export * from './transport';
export * from './stream-framer';
export * from './udp-transport';
export * from './tcp-transport';
export * from './via-format';
export * from './malformed-request';
export * from './transport-layer';
export * from './resolve-target';
