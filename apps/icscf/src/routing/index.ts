export * from './serial-forwarder';
export * from './sip-trace';
