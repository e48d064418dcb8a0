export * from './transport';
export * from './stream-framer';
export * from './udp-transport';
export * from './tcp-transport';
