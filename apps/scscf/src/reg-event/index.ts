export * from './reginfo-xml';
export * from './reg-event.service';
