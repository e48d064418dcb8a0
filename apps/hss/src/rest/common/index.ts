export * from './errors';
export * from './page.dto';
export * from './pagination.dto';
export * from './query-failed.filter';
export * from './validation';
export * from './validators';
export * from './write-token.guard';
export * from './body-syntax.filter';
