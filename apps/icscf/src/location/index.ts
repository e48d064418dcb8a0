export * from './lia-outcome';
export * from './location-query.processor';
