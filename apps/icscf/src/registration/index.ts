export * from './register.processor';
export * from './uaa-outcome';
export * from './uar-request';
