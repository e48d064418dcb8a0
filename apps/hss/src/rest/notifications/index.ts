export * from './registration-notifier.service';
export * from './deregister.dto';
