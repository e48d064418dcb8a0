export * from './charging-vector';
export * from './local-request.processor';
export * from './originating.processor';
export * from './pcscf-context';
export * from './register-response';
export * from './register.processor';
export * from './terminating.processor';
