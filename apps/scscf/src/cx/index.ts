export * from './hss-client.provider';
export * from './cx-failure';
export * from './cx-handlers.service';
