export * from './timers';
export * from './message-framer';
export * from './peer-state';
export * from './diameter-connection';
export * from './capabilities';
export * from './diameter-peer';
export * from './diameter-node';
export * from './manual-timers';
