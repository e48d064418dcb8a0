export * from './cx-health';
export * from './health.controller';
export * from './health.dto';
