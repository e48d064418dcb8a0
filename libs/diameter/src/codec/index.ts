export * from './diameter-error';
export * from './datatypes';
export * from './avp';
export * from './grouped';
export * from './diameter-message';
export * from './identifiers';
export * from './message-builder';
