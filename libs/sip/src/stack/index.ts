export * from './sip-stack';
