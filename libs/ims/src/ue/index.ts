export * from './ue-simulator';
export * from './ue-trace';
