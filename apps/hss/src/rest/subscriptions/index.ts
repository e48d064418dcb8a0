export * from './subscription.dto';
export * from './subscriptions.controller';
export * from './subscriptions.service';
