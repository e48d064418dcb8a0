export * from './demo-seed.service';
export * from './demo-subscribers';
export * from './seed.module';
