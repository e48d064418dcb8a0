export * from './ifc.dto';
export * from './ifcs.controller';
export * from './ifcs.service';
export * from './trigger-point.dto';
