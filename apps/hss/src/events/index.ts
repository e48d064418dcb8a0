export * from './hss-events.service';
export * from './events.module';
