export * from './reg-event-subscriber';
export * from './reginfo';
