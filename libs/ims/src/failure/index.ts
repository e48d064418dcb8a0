export * from './explain-failure';
export * from './failure-cause';
