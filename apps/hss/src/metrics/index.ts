export * from './hss-metrics';
export * from './metrics.controller';
export * from './metrics.module';
