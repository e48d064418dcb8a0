export * from './absolute-uri';
export * from './escape';
export * from './parse-uri';
export * from './sip-uri';
export * from './tel-uri';
export * from './uri-equals';
