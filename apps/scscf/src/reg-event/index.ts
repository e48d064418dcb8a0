export * from './reginfo-xml';
export * from './reg-event.service';
export * from './reg-event-persistence';
