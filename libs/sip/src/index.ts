export {};

export * from './digest';
