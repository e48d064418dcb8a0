export * from './cx.module';
