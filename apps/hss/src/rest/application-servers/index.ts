export * from './application-server.dto';
export * from './application-servers.controller';
export * from './application-servers.service';
