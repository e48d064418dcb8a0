export {};

export * from './digest';
export * from './message';
export * from './uri';
export * from './transport';
export * from './transaction';
export * from './proxy';
export * from './stack';
export * from './dialog';
export * from './memory';
