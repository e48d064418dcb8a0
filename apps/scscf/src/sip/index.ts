export * from './sip-stack.provider';
export * from './failure-explainer.provider';
export * from './sip-request-handler';
export * from './sip-dispatcher.service';
