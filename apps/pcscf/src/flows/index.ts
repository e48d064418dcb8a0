export * from './flow-table';
