export * from './auth-params';
export * from './digest-algorithm';
export * from './digest-challenge';
export * from './digest-error';
export * from './digest-response';
export * from './nonce-counter';
