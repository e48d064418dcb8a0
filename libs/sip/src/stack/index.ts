export * from './sip-stack';
export * from './ack-for-2xx';
export * from './overload';
