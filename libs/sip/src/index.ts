export {};

export * from './digest';
export * from './message';
export * from './uri';
