export * from './ims-subscription';
export * from './user-data-codes';
export * from './user-data-error';
export * from './user-data-reader';
export * from './user-data-writer';
export * from './xml-error';
export * from './xml-escape';
export * from './xml-parser';
