export * from './cx-message';
export * from './uar';
export * from './mar';
export * from './sar';
export * from './lir';
export * from './rtr';
export * from './ppr';
