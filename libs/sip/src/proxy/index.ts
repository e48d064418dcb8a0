export * from './loop-detection';
export * from './request-validation';
export * from './route-preprocessing';
export * from './response-selection';
export * from './proxy-request';
export * from './proxy-core';
export * from './dialog-tracker';
