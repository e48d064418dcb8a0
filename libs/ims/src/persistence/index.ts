export * from './write-behind-table';
export * from './db-path-var';
