export * from './sip-trace';
