export * from './ue-simulator';
export * from './ue-trace';
export * from './call-api';
export * from './sdp';
export * from './notifier';
