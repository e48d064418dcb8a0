export * from './service-profile.dto';
export * from './service-profiles.controller';
export * from './service-profiles.service';
