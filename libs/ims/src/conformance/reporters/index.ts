export * from './console-reporter';
export * from './html-reporter';
export * from './junit-reporter';
export * from './ladder-svg';
export * from './escape';
