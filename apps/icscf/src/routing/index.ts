export * from './serial-forwarder';
