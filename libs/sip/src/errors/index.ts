export * from './sip-parse-error';
