export * from './scscf-capabilities.controller';
export * from './scscf-capabilities.service';
export * from './scscf-capability.dto';
