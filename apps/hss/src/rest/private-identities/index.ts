export * from './auth-data.dto';
export * from './private-identities.controller';
export * from './private-identities.service';
export * from './private-identity.dto';
