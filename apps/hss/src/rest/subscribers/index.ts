export * from './bulk-import.dto';
export * from './create-subscriber.dto';
export * from './csv';
export * from './subscriber-writer';
export * from './subscriber.view';
export * from './subscribers.controller';
export * from './subscribers.service';
